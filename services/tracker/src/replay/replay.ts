import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { writeEvents } from '../projection/store-writer.js';
import type { ReplayProgress } from './progress.js';
import type { ReplayOptions } from './rebuild.js';
import { replayWriter } from './replay-writer.js';
import type { ReadFrom } from './stream-reader.js';
import { readInWindows } from './windowed-read.js';

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
  return readInWindows(
    {
      js: jetstream(options.nc),
      names: options.names,
      logger: options.logger,
      from,
      until,
      windowEvents: options.windowEvents,
      onProgress: options.onProgress,
    },
    async (groups) => (await writeEvents(writer, groups)).length,
  );
}
