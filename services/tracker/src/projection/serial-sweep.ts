import type { Logger } from '@interco/service';
import type { TrackerStore } from '../read-model/tracker-store.js';
import type { ManifestSerials } from './manifest-serials.js';
import { indexSerialsOf } from './store-writer.js';

/** How many transfers one sweep takes up at most. */
export const SWEEP_LIMIT = 100;

export interface SerialSweepOptions {
  readonly store: TrackerStore;
  readonly serials: ManifestSerials;
  readonly logger: Logger;
}

/**
 * Indexes the serials of transfers whose manifest could not be read when their request was
 * applied (NATS unreachable, the Object Store not there yet): without it, a transfer whose last
 * event had come would never be found by serial. Each is marked with a compare-and-set, so a
 * concurrent write of the projector wins and the next sweep (or its next event) takes it up again.
 * Answers how many transfers it marked.
 */
export async function sweepSerialIndex(options: SerialSweepOptions): Promise<number> {
  const docs = await options.store.withSerialsNotIndexed(SWEEP_LIMIT);
  if (docs.length === 0) return 0;
  const versions = new Map(docs.map((doc) => [doc._id, doc.version]));
  await indexSerialsOf(options, docs);
  let marked = 0;
  for (const doc of docs) {
    const version = versions.get(doc._id);
    if (!doc.serials_indexed || version === undefined) continue;
    if (await options.store.markSerialsIndexed(doc._id, version)) marked++;
  }
  options.logger.info({ transfers: docs.length, marked }, 'serial index sweep');
  return marked;
}
