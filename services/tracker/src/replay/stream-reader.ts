import type { BusNames } from '@interco/bus';
import { decodeEvent } from '@interco/contracts';
import type { Logger } from '@interco/service';
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { SequencedEvent } from '../read-model/journal.js';

/** Where reading the stream starts: its first event, a sequence, or a time. */
export type ReadFrom = { readonly sequence: number } | { readonly time: Date } | 'start';

export interface ReadStreamOptions {
  readonly js: JetStreamClient;
  readonly names: Pick<BusNames, 'stream' | 'subjectPrefix'>;
  readonly logger: Logger;
  readonly from: ReadFrom;
  /** The last sequence to read (the stream's last sequence when reading began). */
  readonly until: number;
  /** Most messages per fetch (default 1,000). */
  readonly fetchSize?: number;
}

/**
 * Reads every Interco event (`<prefix>.t.>`) from `from` through `until` with an ordered
 * consumer, handing them to `onEvents` in stream order, a fetch at a time (awaited: the reader
 * waits for the consumer of its events). Messages that are not events are logged and skipped.
 */
export async function readStream(
  options: ReadStreamOptions,
  onEvents: (events: SequencedEvent[]) => Promise<void>,
): Promise<void> {
  const { from } = options;
  const position =
    from === 'start'
      ? { deliver_policy: DeliverPolicy.All }
      : 'sequence' in from
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.sequence }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time.toISOString() };
  const consumer = await options.js.consumers.get(options.names.stream, {
    filter_subjects: [`${options.names.subjectPrefix}.t.>`],
    ...position,
  });
  try {
    let pending = (await consumer.info(true)).num_pending;
    let done = pending === 0;
    while (!done) {
      const messages = await consumer.fetch({
        max_messages: Math.min(pending, options.fetchSize ?? 1_000),
        expires: 5_000,
      });
      const events: SequencedEvent[] = [];
      let delivered = 0;
      for await (const message of messages) {
        delivered++;
        pending = message.info.pending;
        if (message.seq > options.until) {
          done = true;
          break;
        }
        const decoded = decodeEvent(message.data);
        if (decoded.ok) events.push({ seq: message.seq, event: decoded.value });
        else
          options.logger.warn(
            { seq: message.seq, problems: decoded.problems },
            'not an Interco event: skipped',
          );
        if (pending === 0 || message.seq === options.until) {
          done = true;
          break;
        }
      }
      if (events.length > 0) await onEvents(events);
      if (delivered === 0 && !done) {
        throw new Error(`reading the stream: no message came within 5 s though ${pending} were pending`);
      }
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}
