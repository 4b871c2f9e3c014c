import type { Logger } from '@interco/service';
import type { SequencedEvent } from '../read-model/journal.js';
import type { TrackerStore, TransferSerials } from '../read-model/tracker-store.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import { applyEvents } from './apply-events.js';
import type { DocumentCache } from './document-cache.js';
import type { ManifestSerials } from './manifest-serials.js';

/** Most rounds of reread-and-retry for a transfer whose write lost to another writer. */
const MAX_ROUNDS = 20;

export interface StoreWriterOptions {
  readonly store: TrackerStore;
  /** Where serial digests come from; absent: serials are not indexed (serials_indexed stays false). */
  readonly serials?: ManifestSerials | undefined;
  /** The documents this writer wrote last (the projector's); absent: every document is read. */
  readonly cache?: DocumentCache | undefined;
  readonly logger: Logger;
}

/**
 * Writes events into the read model: takes the affected documents (from the cache, else one
 * `_id` read each; a transfer whose `transfer.requested` is in the events is first assumed new),
 * applies each transfer's events (applyEvents), indexes the serials of transfers whose request is
 * now known, writes new documents with one insertMany and changed ones with one compare-and-set
 * replaceOne each. A write that loses to another writer (duplicate key, other version) is reread
 * from the store, applied again and retried. Answers the documents written.
 */
export async function writeEvents(
  options: StoreWriterOptions,
  groups: ReadonlyMap<string, readonly SequencedEvent[]>,
): Promise<TransferDocument[]> {
  const { store, cache } = options;
  const written: TransferDocument[] = [];
  let pending = [...groups.keys()];
  for (let round = 1; pending.length > 0; round++) {
    if (round > MAX_ROUNDS) {
      throw new Error(`writing ${pending.length} transfers lost to other writers ${MAX_ROUNDS} times`);
    }
    const known = new Map<string, TransferDocument | undefined>();
    const toRead: string[] = [];
    for (const id of pending) {
      const cached = round === 1 ? cache?.get(id) : undefined;
      if (cached !== undefined) known.set(id, cached);
      else if (round === 1 && groups.get(id)?.some((entry) => entry.event.type === 'transfer.requested')) {
        known.set(id, undefined);
      } else toRead.push(id);
    }
    const read = await store.findMany(toRead);
    for (const id of toRead) known.set(id, read.get(id));

    const fresh: TransferDocument[] = [];
    const changed: { doc: TransferDocument; expectedVersion: number }[] = [];
    for (const [id, before] of known) {
      const application = applyEvents(before, groups.get(id) ?? []);
      if (!application.changed) {
        if (before !== undefined) cache?.set(before);
        continue;
      }
      if (before === undefined) fresh.push(application.doc);
      else changed.push({ doc: application.doc, expectedVersion: before.version });
    }
    await indexSerialsOf(options, [...fresh, ...changed.map(({ doc }) => doc)]);
    const lost = await store.insertNew(fresh);
    for (const doc of fresh) if (!lost.has(doc._id)) written.push(doc);
    for (const { doc, expectedVersion } of changed) {
      if (await store.replace(doc, expectedVersion)) written.push(doc);
      else lost.add(doc._id);
    }
    for (const doc of written) cache?.set(doc);
    for (const id of lost) cache?.delete(id);
    if (lost.size > 0) options.logger.debug({ transfers: lost.size, round }, 'lost writes: applying again');
    pending = [...lost];
  }
  return written;
}

/**
 * Indexes the serials of the documents whose request is known and whose serials are not indexed
 * yet (one insertMany for all of them), then marks them `serials_indexed` (they are written next).
 * A manifest that cannot be used is logged and left for a later batch.
 */
export async function indexSerialsOf(
  options: StoreWriterOptions,
  docs: readonly TransferDocument[],
): Promise<void> {
  const source = options.serials;
  if (source === undefined) return;
  const due = docs.filter((doc) => doc.state !== null && !doc.serials_indexed);
  if (due.length === 0) return;
  const found = await Promise.all(
    due.map(async (doc) => ({
      doc,
      result: doc.state === null ? undefined : await source.digestsOf(doc.state),
    })),
  );
  const batch: TransferSerials[] = [];
  const indexed: TransferDocument[] = [];
  for (const { doc, result } of found) {
    if (result === undefined) continue;
    if (result.digests === undefined) {
      options.logger.warn(
        { transfer_id: doc._id, problem: result.problem },
        'the serials of the transfer cannot be indexed: its manifest is not usable',
      );
      continue;
    }
    batch.push({ transferId: doc._id, digests: result.digests });
    indexed.push(doc);
  }
  await options.store.indexSerialsBatch(batch);
  for (const doc of indexed) doc.serials_indexed = true;
}
