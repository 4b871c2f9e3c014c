import { evolveEntries, type SequencedEvent } from '../read-model/journal.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import {
  documentFromJournal,
  journalEvents,
  transferDocument,
  uniqueInStreamOrder,
} from '../read-model/transfer-documents.js';

/** What applying events to a transfer's document gives: the document to store, and whether it moved. */
export interface Application {
  /** The new document (version + 1) when `changed`; the one given otherwise. */
  readonly doc: TransferDocument;
  /** False when every event was already in the journal (nothing to write). */
  readonly changed: boolean;
}

/**
 * Adds a transfer's events to its document (undefined: none stored yet), each once by event id.
 * Events that all come after the journal's last sequence are applied incrementally with evolve;
 * otherwise (a redelivery, a shuffled delivery) the whole journal is folded again. Either way the
 * state is `foldTransfer(journal events in stream order)`. Pure.
 */
export function applyEvents(
  doc: TransferDocument | undefined,
  entries: readonly SequencedEvent[],
): Application {
  const id = doc?._id ?? entries[0]?.event.transferid;
  if (id === undefined) throw new Error('applyEvents: neither a document nor an event');
  const mismatch = entries.find((entry) => entry.event.transferid !== id);
  if (mismatch !== undefined) {
    throw new Error(`applyEvents: event ${mismatch.event.id} is of ${mismatch.event.transferid}, not ${id}`);
  }
  if (doc === undefined) return { doc: documentFromJournal(id, entries), changed: true };

  const known = new Map(doc.journal.map((entry) => [entry.id, entry.seq]));
  const fresh = uniqueInStreamOrder(entries).filter((entry) => {
    const seq = known.get(entry.event.id);
    return seq === undefined || entry.seq < seq;
  });
  const first = fresh[0];
  if (first === undefined) return { doc, changed: false };

  const bookkeeping = { previousVersion: doc.version, serialsIndexed: doc.serials_indexed };
  const relocated = fresh.some((entry) => known.has(entry.event.id));
  if (!relocated && first.seq > doc.last_seq) {
    const { state, journal } = evolveEntries(doc.state ?? undefined, fresh);
    return { doc: transferDocument(id, state, [...doc.journal, ...journal], bookkeeping), changed: true };
  }
  const freshIds = new Set(fresh.map((entry) => entry.event.id));
  const kept = journalEvents(doc).filter((entry) => !freshIds.has(entry.event.id));
  return { doc: documentFromJournal(id, [...kept, ...fresh], bookkeeping), changed: true };
}
