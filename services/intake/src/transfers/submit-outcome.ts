import type { SubmitOutcome } from '@interco/metrics';

/**
 * What a transfer request's answer counts as in `interco_transfers_submitted_total`: `accepted`
 * (a 2xx for a new transfer), `replayed` (a 2xx answering an earlier transfer for the same
 * Idempotency-Key), `rejected` (any 4xx: invalid, conflict, too large, not authenticated), `error`
 * (a 5xx: e.g. NATS unavailable).
 */
export function submitOutcome(statusCode: number, replayed: boolean): SubmitOutcome {
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'rejected';
  return replayed ? 'replayed' : 'accepted';
}
