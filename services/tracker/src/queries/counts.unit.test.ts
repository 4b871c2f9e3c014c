import { describe, expect, it } from 'vitest';
import { countTransfers } from './counts.js';
import { isStuck } from './stuck.js';

const clock = { now: new Date('2026-12-05T12:00:00.000Z'), stuckAfterMs: 60_000 };
const OLD = '2026-12-05T11:00:00.000Z';
const RECENT = '2026-12-05T11:59:30.000Z';

describe('isStuck', () => {
  it('is a running transfer without an event for longer than stuckAfterMs', () => {
    for (const status of ['pending', 'in_progress', 'waiting', 'cancelling']) {
      expect(isStuck(status, OLD, clock)).toBe(true);
      expect(isStuck(status, RECENT, clock)).toBe(false);
    }
  });

  it('is never a transfer that has stopped', () => {
    for (const status of ['failed', 'completed', 'cancel_failed', 'cancelled']) {
      expect(isStuck(status, OLD, clock)).toBe(false);
    }
    expect(isStuck(null, null, clock)).toBe(false);
  });
});

describe('countTransfers', () => {
  it('counts per status (every status listed) and the stuck ones; skips documents without a state', () => {
    const counts = countTransfers(
      [
        { status: 'in_progress', updated_at: OLD },
        { status: 'in_progress', updated_at: RECENT },
        { status: 'failed', updated_at: OLD },
        { status: null, updated_at: null },
      ],
      clock,
    );
    expect(counts).toEqual({
      total: 3,
      stuck: 1,
      by_status: {
        pending: 0,
        in_progress: 2,
        waiting: 0,
        failed: 1,
        completed: 0,
        cancelling: 0,
        cancel_failed: 0,
        cancelled: 0,
      },
    });
  });
});
