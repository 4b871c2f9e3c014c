import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { writeEvents } from '../projection/store-writer.js';
import { EventWindow } from './event-window.js';
import { ProgressCounter, type ReplayProgress } from './progress.js';
import type { ReplayOptions } from './rebuild.js';
import { replayWriter } from './replay-writer.js';
import { type ReadFrom, readStream } from './stream-reader.js';

/**
 * Applies the stream again from a sequence or a time through its last sequence at start, without
 * dropping anything: the live apply path (idempotent; events already in a journal change nothing).
 * The durable consumer is left as it is.
 */
export async function replay(
  options: ReplayOptions & { readonly fromSequence?: number; readonly fromTime?: Date },
): Promise<ReplayProgress> {
  const from: ReadFrom =
    options.fromSequence !== undefined
      ? { sequence: options.fromSequence }
      : options.fromTime !== undefined
        ? { time: options.fromTime }
        : 'start';
  await options.store.ensureIndexes();
  const writer = await replayWriter(options);
  const jsm = await jetstreamManager(options.nc);
  const until = (await jsm.streams.info(options.names.stream)).state.last_seq;
  const progress = new ProgressCounter();
  const window = new EventWindow();
  const flush = async () => {
    const written = await writeEvents(writer, window.take());
    progress.transfers += written.length;
    options.onProgress?.(progress.snapshot());
  };
  await readStream(
    { js: jetstream(options.nc), names: options.names, logger: options.logger, from, until },
    async (events) => {
      window.add(events);
      progress.events += events.length;
      progress.lastSeq = events.at(-1)?.seq ?? progress.lastSeq;
      if (window.size >= (options.windowEvents ?? 20_000)) await flush();
      else options.onProgress?.(progress.snapshot());
    },
  );
  if (window.size > 0) await flush();
  return progress.snapshot();
}
