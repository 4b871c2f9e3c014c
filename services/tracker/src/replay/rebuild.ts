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
import { EventWindow } from './event-window.js';
import { ProgressCounter, type ReplayProgress } from './progress.js';
import { replayWriter } from './replay-writer.js';
import { readStream } from './stream-reader.js';

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

/** Most documents in one insertMany. */
const INSERT_CHUNK = 1_000;

/**
 * Drops the read model and builds it again from the whole stream (through its last sequence at
 * start), in windows held in memory and written with insertMany; a transfer already written by
 * an earlier window goes through the read/compare-and-set path. Then the durable consumer
 * `tracker` is recreated to start just after the last sequence read. Run it with the trackers
 * stopped (their consumer is replaced).
 */
export async function rebuild(options: ReplayOptions): Promise<ReplayProgress> {
  const { store } = options;
  await store.drop();
  await store.ensureIndexes();
  const writer = await replayWriter(options);
  const jsm = await jetstreamManager(options.nc);
  const until = (await jsm.streams.info(options.names.stream)).state.last_seq;
  const progress = new ProgressCounter();
  const window = new EventWindow();
  const flush = async () => {
    const groups = window.take();
    const docs = [...groups].map(([id, events]) => documentFromJournal(id, events));
    await indexSerialsOf(writer, docs);
    const later = new Map<string, SequencedEvent[]>();
    for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
      const chunk = docs.slice(i, i + INSERT_CHUNK);
      const existing = await store.insertNew(chunk);
      progress.transfers += chunk.length - existing.size;
      for (const id of existing) later.set(id, groups.get(id) ?? []);
    }
    if (later.size > 0) await writeEvents(writer, later);
    options.onProgress?.(progress.snapshot());
  };
  await readStream(
    { js: jetstream(options.nc), names: options.names, logger: options.logger, from: 'start', until },
    async (events) => {
      window.add(events);
      progress.events += events.length;
      progress.lastSeq = events.at(-1)?.seq ?? progress.lastSeq;
      if (window.size >= (options.windowEvents ?? 20_000)) await flush();
      else options.onProgress?.(progress.snapshot());
    },
  );
  if (window.size > 0) await flush();
  await resetTrackerConsumer(jsm, options.names, {
    batchSize: options.batchSize ?? 256,
    startSequence: until + 1,
  });
  return progress.snapshot();
}
