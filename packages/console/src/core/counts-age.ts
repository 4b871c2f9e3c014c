/**
 * How old the counts the tracker answered are (`as_of`: when they were taken; the tracker serves
 * them from a cache, and on a slow count the last ones it has). Pure.
 */

/** Counts older than this say how old they are. */
export const COUNTS_SHOWN_AGE_MS = 30_000;

/** The counts' age in whole seconds when it is over COUNTS_SHOWN_AGE_MS; otherwise undefined. */
export function staleCountsSeconds(asOf: string, now: Date): number | undefined {
  const taken = Date.parse(asOf);
  if (Number.isNaN(taken)) return undefined;
  const age = now.getTime() - taken;
  return age > COUNTS_SHOWN_AGE_MS ? Math.floor(age / 1000) : undefined;
}
