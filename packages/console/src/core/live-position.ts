/**
 * Where a /v1/live stream started, and which of its events may be replays. A new stream (no
 * `Last-Event-ID`) starts a little before "now" (docs/tracker.md, "Live"), so it may send events
 * published before it opened; the tracker says where "now" was in the header `x-interco-last-seq`
 * (n: the event stream's last sequence when the stream opened; message ids are those sequences;
 * the stream's opening comment `: connected last_seq=<n>` says the same and is not read). An event whose sequence is
 * at most n happened before the open, so before the page's read: it may be a replay. Pure.
 */

/** The header that carries the stream's last sequence when the live stream opened. */
export const LAST_SEQ_HEADER = 'x-interco-last-seq';

const WHOLE = /^(0|[1-9][0-9]{0,15})$/;

/** A sequence as the tracker writes it (a whole number ≥ 0); undefined otherwise. */
export function sequenceOf(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  const trimmed = text.trim();
  if (!WHOLE.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Whether an event (its message id) may have happened before the stream opened: its sequence is
 * at most the stream's `last_seq`. Without a `last_seq` (an older tracker) or an id, nothing is
 * known: false, every event counts as it comes (as before).
 */
export function mayBeReplayed(id: string | undefined, lastSeq: number | undefined): boolean {
  if (lastSeq === undefined) return false;
  const seq = sequenceOf(id);
  return seq !== undefined && seq <= lastSeq;
}
