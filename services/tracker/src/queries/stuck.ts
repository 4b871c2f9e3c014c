import type { TransferStatus } from '@interco/contracts';

/** The statuses of a transfer that still runs: one of these without events for long is stuck. */
export const RUNNING_STATUSES: readonly TransferStatus[] = [
  'pending',
  'in_progress',
  'waiting',
  'cancelling',
];

/** Default TRACKER_STUCK_AFTER_MS: 15 minutes. */
export const DEFAULT_STUCK_AFTER_MS = 15 * 60_000;

export interface StuckClock {
  readonly now: Date;
  readonly stuckAfterMs: number;
}

/** The `updated_at` before which a running transfer is stuck (ISO text, as stored). */
export function stuckBefore(clock: StuckClock): string {
  return new Date(clock.now.getTime() - clock.stuckAfterMs).toISOString();
}

/**
 * Whether a transfer is stuck: running, and its last event is older than the threshold. The
 * stored time is compared as text with stuckBefore, as the `stuck` filter compares it in MongoDB.
 */
export function isStuck(status: string | null, updatedAt: string | null, clock: StuckClock): boolean {
  if (status === null || updatedAt === null) return false;
  if (!(RUNNING_STATUSES as readonly string[]).includes(status)) return false;
  return updatedAt < stuckBefore(clock);
}
