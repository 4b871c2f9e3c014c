import type { BusNames } from '@interco/bus';
import type { SecretBox } from '@interco/erpnext';
import type { Logger } from '@interco/service';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { indexSerialsOf, writeEvents } from '../projection/store-writer.js';
import { resetTrackerConsumer } from '../projection/tracker-consumer.js';
import type { SequencedEvent } from '../read-model/journal.js';
import type { TrackerStore } from '../read-model/tracker-store.js';
import { documentFromJournal } from '../read-model/transfer-documents.js';
import type { ReplayProgress } from './progress.js';
import { replayWriter } from './replay-writer.js';
import { readInWindows } from './windowed-read.js';

export interface ReplayOptions {
  readonly nc: NatsConnection;
  readonly names: BusNames;
  readonly store: TrackerStore;
  readonly box: SecretBox;
  readonly logger: Logger;
  /** Called as events are read and after each window is written. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Events held in memory before they are written (default 20,000): bounds memory. */
  readonly windowEvents?: number;
  /** The batch size the durable consumer is recreated for (TRACKER_BATCH_SIZE, default 256). */
  readonly batchSize?: number;
}

export interface RebuildOptions extends ReplayOptions {
  /**
   * Rebuild even though the stream no longer starts at sequence 1 (its oldest messages expired):
   * transfers whose early events are gone come out incomplete or missing (CLI `--force`).
   */
  readonly force?: boolean;
}

/** A rebuild refused before anything was changed. */
export class RebuildRefusedError extends Error {
  override readonly name = 'RebuildRefusedError';
}

/** Most documents in one insertMany. */
const INSERT_CHUNK = 1_000;

/**
 * Drops the read model and builds it again from the whole stream (through its last sequence at
 * start), in windows held in memory and written with insertMany; a transfer already written by
 * an earlier window goes through the read/compare-and-set path. Run it with the trackers stopped
 * (their consumer is replaced).
 *
 * Failure-safe order: first the durable consumer `tracker` is reset to deliver from the stream's
 * first sequence, so if the rebuild fails after the drop, a tracker started afterwards applies the
 * whole stream again (idempotent) and repairs the half-built model; only once everything is written
 * is the consumer reset to start just after the last sequence read. Refused (RebuildRefusedError,
 * nothing changed) when the stream's first sequence is above 1 (messages expired by max_age or
 * removed) unless `force`.
 */
export async function rebuild(options: RebuildOptions): Promise<ReplayProgress> {
  const { store, names } = options;
  const jsm = await jetstreamManager(options.nc);
  const { first_seq: firstSeq, last_seq: until } = (await jsm.streams.info(names.stream)).state;
  if (firstSeq > 1 && options.force !== true) {
    throw new RebuildRefusedError(
      `the stream ${names.stream} starts at sequence ${firstSeq}, not 1: its oldest events expired, so the rebuilt read model would lose (or show incomplete) the transfers whose early events are gone; use --force to rebuild anyway`,
    );
  }
  if (firstSeq > 1)
    options.logger.warn(
      { first_seq: firstSeq },
      'rebuilding from a stream whose oldest events expired (forced)',
    );
  const batchSize = options.batchSize ?? 256;
  // A failure from here on leaves the consumer at the stream's start: the live tracker repairs.
  await resetTrackerConsumer(jsm, names, { batchSize, startSequence: Math.max(1, firstSeq) });
  await store.drop();
  await store.ensureIndexes();
  const writer = await replayWriter(options);
  const summary = await readInWindows(
    {
      js: jetstream(options.nc),
      names,
      logger: options.logger,
      from: 'start',
      until,
      windowEvents: options.windowEvents,
      onProgress: options.onProgress,
    },
    async (groups) => {
      const docs = [...groups].map(([id, events]) => documentFromJournal(id, events));
      await indexSerialsOf(writer, docs);
      const later = new Map<string, SequencedEvent[]>();
      let inserted = 0;
      for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
        const chunk = docs.slice(i, i + INSERT_CHUNK);
        const existing = await store.insertNew(chunk);
        inserted += chunk.length - existing.size;
        for (const id of existing) later.set(id, groups.get(id) ?? []);
      }
      if (later.size > 0) await writeEvents(writer, later);
      return inserted;
    },
  );
  await resetTrackerConsumer(jsm, names, { batchSize, startSequence: until + 1 });
  return summary;
}
