import { foldTransfer, type TransferState } from '@interco/contracts';
import { eventOf, evolveEntries, plain, type SequencedEvent } from './journal.js';
import { queryFields } from './query-fields.js';
import type { JournalEntry, TransferDocument } from './transfer-document.schema.js';

/** What a new or rewritten document keeps from the stored one. */
export interface DocumentBookkeeping {
  /** The stored document's version (0 for a new document): the new one has version + 1. */
  readonly previousVersion: number;
  readonly serialsIndexed: boolean;
}

const NEW_DOCUMENT: DocumentBookkeeping = { previousVersion: 0, serialsIndexed: false };

/** A transfer document with `state` and `journal` (sorted by sequence), its query fields filled. */
export function transferDocument(
  id: string,
  state: TransferState | undefined,
  journal: JournalEntry[],
  bookkeeping: DocumentBookkeeping = NEW_DOCUMENT,
): TransferDocument {
  const stored = state === undefined ? null : plain(state);
  return {
    _id: id,
    version: bookkeeping.previousVersion + 1,
    last_seq: journal.reduce((highest, entry) => Math.max(highest, entry.seq), 1),
    state: stored,
    journal,
    ...queryFields(stored),
    serials_indexed: bookkeeping.serialsIndexed,
  };
}

/**
 * The document of transfer `id` from its events: each kept once by id (its lowest sequence),
 * sorted by sequence, folded in that order.
 */
export function documentFromJournal(
  id: string,
  events: readonly SequencedEvent[],
  bookkeeping: DocumentBookkeeping = NEW_DOCUMENT,
): TransferDocument {
  const { state, journal } = evolveEntries(undefined, uniqueInStreamOrder(events));
  return transferDocument(id, state, journal, bookkeeping);
}

/** The journal's events in stream order, as `foldTransfer` takes them. */
export function journalEvents(document: Pick<TransferDocument, 'journal'>): SequencedEvent[] {
  return document.journal.map((entry) => ({ seq: entry.seq, event: eventOf(entry) }));
}

/** The state the journal folds to: what `document.state` always equals. */
export function foldJournal(document: Pick<TransferDocument, 'journal'>): TransferState | undefined {
  return foldTransfer(document.journal.map(eventOf));
}

/** Events once each by id (the lowest sequence of copies wins), sorted by sequence. */
export function uniqueInStreamOrder(events: readonly SequencedEvent[]): SequencedEvent[] {
  const byId = new Map<string, SequencedEvent>();
  for (const entry of events) {
    const known = byId.get(entry.event.id);
    if (known === undefined || entry.seq < known.seq) byId.set(entry.event.id, entry);
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}
