import { evolve, type IntercoEvent, type TransferChange, type TransferState } from '@interco/contracts';
import type { JournalEntry } from './transfer-document.schema.js';

/** One event with its stream sequence, as it comes off the stream. */
export interface SequencedEvent {
  readonly seq: number;
  readonly event: IntercoEvent;
}

/** The most characters of a stale or invalid reason kept in a journal entry (the schema's limit). */
const MAX_REASON = 1000;

/** A journal entry's event, as published (journal entries only ever hold valid events). */
export function eventOf(entry: JournalEntry): IntercoEvent {
  return entry.event as unknown as IntercoEvent;
}

/** A journal entry for `event` with what evolve made of it. */
export function journalEntry(
  { seq, event }: SequencedEvent,
  change: TransferChange,
  reason: string | undefined,
): JournalEntry {
  return {
    seq,
    id: event.id,
    type: event.type,
    time: event.time,
    generation: event.generation,
    actor: event.actor,
    change,
    ...(reason === undefined ? {} : { reason: reason.slice(0, MAX_REASON) }),
    event: plain(event),
  };
}

/**
 * Applies `entries` (stream order) to `state` with evolve, recording each outcome. Answers the
 * state they lead to and the journal entries.
 */
export function evolveEntries(
  state: TransferState | undefined,
  entries: readonly SequencedEvent[],
): { state: TransferState | undefined; journal: JournalEntry[] } {
  let current = state;
  const journal: JournalEntry[] = [];
  for (const entry of entries) {
    const evolution = evolve(current, entry.event);
    current = evolution.state;
    journal.push(journalEntry(entry, evolution.change, evolution.reason));
  }
  return { state: current, journal };
}

/**
 * A JSON-shaped copy (no `undefined` members): what MongoDB stores and gives back, so a document
 * read back equals the one written.
 */
export function plain<T>(value: T): T & Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as T & Record<string, unknown>;
}
