/**
 * The live stream comes straight from the event stream; the tracker's read model follows it a
 * moment later. A page that re-reads a transfer after a live event may get it as it was before
 * (or a 404 for a new one): it reads again after these pauses (about 40 s in all, so a tracker
 * slowed by a backlog still catches up on the page), then gives up until the next event. Pure.
 */
export const REREAD_DELAYS_MS: readonly number[] = [300, 700, 1500, 3000, 5000, 10_000, 20_000];

/** Whether a view last updated at `updatedAt` does not show an event of `eventTime` yet. */
export function isBehind(updatedAt: string, eventTime: string): boolean {
  const updated = Date.parse(updatedAt);
  const event = Date.parse(eventTime);
  if (Number.isNaN(updated) || Number.isNaN(event)) return false;
  return updated < event;
}
