import type { BusNames } from '@interco/bus';
import type { Logger } from '@interco/service';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { SequencedEvent } from '../read-model/journal.js';
import { EventWindow } from './event-window.js';
import { ProgressCounter, type ReplayProgress } from './progress.js';
import { type ReadFrom, readStream } from './stream-reader.js';

export interface WindowedReadOptions {
  readonly js: JetStreamClient;
  readonly names: Pick<BusNames, 'stream' | 'subjectPrefix'>;
  readonly logger: Logger;
  readonly from: ReadFrom;
  /** The last sequence to read (the stream's last sequence when reading began). */
  readonly until: number;
  /** Events held in memory before they are written (default 20,000): bounds memory. */
  readonly windowEvents?: number | undefined;
  /** Called as events are read and after each window is written. */
  readonly onProgress?: ((progress: ReplayProgress) => void) | undefined;
}

/**
 * The loop of rebuild and replay: reads the stream (`from` through `until`, readStream), holds the
 * events in a window grouped by transfer, and hands each full window (and the last one) to
 * `write`, which answers how many transfer documents it wrote. Progress is reported as events are
 * read and after each window; answers the final figures.
 */
export async function readInWindows(
  options: WindowedReadOptions,
  write: (groups: Map<string, SequencedEvent[]>) => Promise<number>,
): Promise<ReplayProgress> {
  const progress = new ProgressCounter();
  const window = new EventWindow();
  const windowEvents = options.windowEvents ?? 20_000;
  const flush = async () => {
    progress.transfers += await write(window.take());
    options.onProgress?.(progress.snapshot());
  };
  await readStream(
    {
      js: options.js,
      names: options.names,
      logger: options.logger,
      from: options.from,
      until: options.until,
    },
    async (events) => {
      window.add(events);
      progress.events += events.length;
      progress.lastSeq = events.at(-1)?.seq ?? progress.lastSeq;
      if (window.size >= windowEvents) await flush();
      else options.onProgress?.(progress.snapshot());
    },
  );
  if (window.size > 0) await flush();
  return progress.snapshot();
}
