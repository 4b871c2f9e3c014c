import { allEventsFilter, transferFilter } from '@interco/contracts';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { LiveEventData } from '../http/schemas.js';

export interface LiveFeedOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly subjectPrefix: string;
  /** Follow one transfer (`<prefix>.t.<id>.>`); every transfer when absent. */
  readonly transferId?: string | undefined;
  /** Resume after this stream sequence (the client's `Last-Event-ID`). */
  readonly afterSeq?: number | undefined;
}

/** The events of a live feed as they come, until stop(). */
export interface LiveFeed {
  readonly events: AsyncIterable<LiveEventData>;
  stop(): void;
}

/** What a live message says of its event; undefined for a message that is not an Interco event. */
export function liveEventOf(msg: Pick<JsMsg, 'seq' | 'json'>): LiveEventData | undefined {
  let event: unknown;
  try {
    event = msg.json();
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null) return undefined;
  const { transferid, type, time, generation, id } = event as Record<string, unknown>;
  if (typeof transferid !== 'string' || typeof type !== 'string' || typeof time !== 'string')
    return undefined;
  if (typeof generation !== 'number' || typeof id !== 'string') return undefined;
  return { transfer_id: transferid, type, time, generation, seq: msg.seq, event_id: id };
}

/**
 * An ordered consumer (ephemeral, flow-controlled, no acks) on the events of every transfer or
 * of one, from the message after `afterSeq`, or else from the first message published after
 * this call (the stream's last sequence is read first, so nothing published once the feed is
 * open is missed). stop() closes and deletes the consumer.
 */
export async function openLiveFeed(options: LiveFeedOptions): Promise<LiveFeed> {
  const startSeq = options.afterSeq ?? (await options.jsm.streams.info(options.stream)).state.last_seq;
  const filter =
    options.transferId === undefined
      ? allEventsFilter(options.subjectPrefix)
      : transferFilter(options.transferId, options.subjectPrefix);
  const consumer = await options.js.consumers.get(options.stream, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSeq + 1,
  });
  const messages = await consumer.consume();
  async function* events(): AsyncGenerator<LiveEventData> {
    for await (const msg of messages) {
      const event = liveEventOf(msg);
      if (event !== undefined) yield event;
    }
  }
  return {
    events: events(),
    stop: () => {
      // Closing the iterator does not remove the server's consumer: delete it too.
      void messages
        .close()
        .catch(() => undefined)
        .then(() => consumer.delete())
        .catch(() => undefined);
    },
  };
}
