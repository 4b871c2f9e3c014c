import { describe, expect, it } from 'vitest';
import { digestSerials, serialsInUse } from './serial-conflicts.js';

const digest = (serial: string) => `d:${serial.toLowerCase()}`;

describe('serialsInUse', () => {
  it('names the request’s serials in its order, as it wrote them, with the holders', () => {
    const serials = digestSerials(
      { items: [{ serials: ['A-1', 'A-2'] }, { serials: ['B-1', 'b-2'] }] } as never,
      digest,
    );
    const error = serialsInUse(serials, [
      { digest: 'd:b-2', holder: 'tr_2' },
      { digest: 'd:a-1', holder: 'tr_1' },
    ]);
    expect(error.status).toBe(409);
    expect(error.body()).toEqual({
      error: 'serials_in_use',
      message:
        '2 serials are already in another active transfer: a serial can be in one active transfer at a time; wait for that transfer to complete or be cancelled, or leave them out',
      serials: ['A-1', 'b-2'],
      count: 2,
      held_by: ['tr_1', 'tr_2'],
    });
  });

  it('lists at most 100 and counts them all', () => {
    const list = Array.from({ length: 250 }, (_, i) => `S-${i}`);
    const serials = digestSerials({ items: [{ serials: list }] } as never, digest);
    const error = serialsInUse(
      serials,
      serials.map(({ digest: d }) => ({ digest: d, holder: 'tr_1' })),
    );
    const body = error.body() as unknown as { serials: string[]; count: number; message: string };
    expect(body.serials).toEqual(list.slice(0, 100));
    expect(body.count).toBe(250);
    expect(body.message).toMatch(
      /^250 serials are already in another active transfer \(the first 100 are listed\)/,
    );
  });

  it('speaks of one serial in the singular', () => {
    const serials = digestSerials({ items: [{ serials: ['X'] }] } as never, digest);
    expect(serialsInUse(serials, [{ digest: 'd:x', holder: 'tr_1' }]).message).toMatch(
      /^1 serial is already/,
    );
  });
});
