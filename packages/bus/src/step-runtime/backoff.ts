/**
 * Exponential backoff with full jitter, bounded below and above: the ceiling doubles with each
 * attempt from `minMs` up to `maxMs`, and the delay is drawn uniformly between `minMs` and that
 * ceiling, so replicas retrying the same instance spread out.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { minMs: 1_000, maxMs: 60_000 };

/** The ceiling of attempt `attempt` (1, 2, ...): minMs * 2^(attempt-1), at most maxMs. */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const min = Math.max(0, options.minMs);
  const max = Math.max(min, options.maxMs);
  const exponent = Math.min(Math.max(0, Math.floor(attempt) - 1), 40);
  return Math.min(max, min * 2 ** exponent);
}

/** A delay for attempt `attempt` (1, 2, ...), in [minMs, ceiling]. `random` gives [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const min = Math.max(0, options.minMs);
  const ceiling = backoffCeiling(attempt, options);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(min + r * (ceiling - min));
}

/** The short wait when another replica holds the lease: 2 to 5 s, not counted as a failure. */
export function leaseHeldDelay(random: () => number = Math.random): number {
  return Math.round(2_000 + Math.min(Math.max(random(), 0), 1) * 3_000);
}
