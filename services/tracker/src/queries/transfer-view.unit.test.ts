import { foldTransfer } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { transferEvents } from '../test-support/query-fixtures.js';
import { toTransferView } from './transfer-view.js';

const createdAt = new Date('2026-12-05T10:00:00.000Z');
const clock = { now: new Date('2026-12-05T10:05:00.000Z'), stuckAfterMs: 60_000 };

function stateOf(events: ReturnType<typeof transferEvents>) {
  const state = foldTransfer(events);
  if (state === undefined) throw new Error('no state');
  return state;
}

describe('toTransferView', () => {
  it('is undefined for a document whose state is null (not yet requested)', () => {
    expect(toTransferView({ _id: 'tr_x', state: null }, clock)).toBeUndefined();
  });

  it('shows a failed transfer: steps with durations, the failed step’s error, the request summary', () => {
    const events = transferEvents({ createdAt, outcome: 'failed_at_dn_a', reference: 'PO-9', serials: 5 });
    const view = toTransferView({ _id: 'x', state: stateOf(events) }, clock);
    expect(view).toMatchObject({
      status: 'failed',
      stuck: false,
      current_step: 'dn_a',
      failed_step: 'dn_a',
      generation: 1,
      created_at: '2026-12-05T10:00:00.000Z',
      updated_at: '2026-12-05T10:00:03.000Z',
      request: {
        instances: { a: 'erp-a', b: 'erp-b' },
        counts: { items: 1, serials: 5 },
        reference: 'PO-9',
        actor: 'tok_test',
      },
      last_error: { step: 'dn_a', kind: 'permanent', messages: ['Serial No SN-X not found'] },
    });
    expect(view?.steps.po_a).toMatchObject({
      status: 'done',
      attempts: 1,
      started_at: '2026-12-05T10:00:00.000Z',
      finished_at: '2026-12-05T10:00:01.000Z',
      duration_ms: 1000,
      last_error: null,
      waiting: null,
    });
    expect(view?.steps.dn_a).toMatchObject({ status: 'failed', finished_at: null, duration_ms: null });
    expect(view?.steps.pr_b).toMatchObject({ status: 'pending', started_at: null, duration_ms: null });
  });

  it('flags a running transfer with no event for longer than stuckAfterMs as stuck', () => {
    const state = stateOf(transferEvents({ createdAt, outcome: 'done_2' }));
    expect(toTransferView({ _id: 'x', state }, clock)?.stuck).toBe(true);
    expect(toTransferView({ _id: 'x', state }, { ...clock, stuckAfterMs: 3_600_000 })?.stuck).toBe(false);
  });

  it('shows a waiting step’s reason, and no error', () => {
    const state = stateOf(transferEvents({ createdAt, outcome: 'waiting' }));
    const view = toTransferView({ _id: 'x', state }, { ...clock, stuckAfterMs: 3_600_000 });
    expect(view?.status).toBe('waiting');
    expect(view?.steps.po_a.waiting).toEqual({
      reason: 'rate_limited',
      next_attempt_at: '2026-12-05T10:01:00.000Z',
    });
    expect(view?.last_error).toBeNull();
  });
});
