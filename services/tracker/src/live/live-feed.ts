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
  /**
   * The durable consumer that feeds the read model (the projector's, TRACKER_CONSUMER, shared by
   * every replica): a new stream (no `afterSeq`) starts at its ack floor + 1, the first event the
   * read model may not show yet. Without it, or when its info cannot be read, a new stream starts
   * after the stream's last sequence.
   */
  readonly projectorConsumer?: string | undefined;
  /** Most events before the stream's end a new stream starts with (default LIVE_CATCH_UP_AT_MOST). */
  readonly maxCatchUp?: number | undefined;
}

/**
 * Most events a new stream sends that the read model may not show yet (when the projector is
 * further behind, the stream starts this many events before the end of the event stream).
 */
export const LIVE_CATCH_UP_AT_MOST = 1_000;

/**
 * The first stream sequence a new live stream (no Last-Event-ID) delivers: the first event the
 * read model may not show yet (the projector's ack floor + 1), so that an event published but
 * not yet applied when a client opens the stream and then reads the list is either in the list or
 * sent live (a few already applied ones may be sent too: clients re-read until the read model
 * shows an event). At most `maxCatchUp` events before the end; after the last sequence when the
 * ack floor is unknown.
 */
export function liveStartSequence(position: {
  readonly lastSeq: number;
  readonly ackFloor: number | undefined;
  readonly maxCatchUp: number;
}): number {
  const next = position.lastSeq + 1;
  if (position.ackFloor === undefined) return next;
  return Math.min(next, Math.max(position.ackFloor + 1, next - position.maxCatchUp));
}

/** The stream sequence up to which the consumer has acked every message; undefined if unknown. */
async function ackFloorOf(
  jsm: JetStreamManager,
  stream: string,
  consumer: string,
): Promise<number | undefined> {
  try {
    const info = await jsm.consumers.info(stream, consumer);
    const floor = info.ack_floor?.stream_seq;
    return typeof floor === 'number' && Number.isSafeInteger(floor) && floor >= 0 ? floor : undefined;
  } catch {
    return undefined; // no projector has run yet, or JetStream did not answer: from now
  }
}

/** Where a feed starts: after `afterSeq`, else liveStartSequence. */
async function startSequence(options: LiveFeedOptions): Promise<number> {
  if (options.afterSeq !== undefined) return options.afterSeq + 1;
  const [ackFloor, stream] = await Promise.all([
    options.projectorConsumer === undefined
      ? undefined
      : ackFloorOf(options.jsm, options.stream, options.projectorConsumer),
    options.jsm.streams.info(options.stream),
  ]);
  const lastSeq = stream.state.last_seq;
  return liveStartSequence({ lastSeq, ackFloor, maxCatchUp: options.maxCatchUp ?? LIVE_CATCH_UP_AT_MOST });
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
 * of one, from the message after `afterSeq`, or else from the first event the read model may not
 * show yet (liveStartSequence; read before the consumer is made, so nothing published once the
 * feed is open is missed). stop() closes and deletes the consumer.
 */
export async function openLiveFeed(options: LiveFeedOptions): Promise<LiveFeed> {
  const startSeq = await startSequence(options);
  const filter =
    options.transferId === undefined
      ? allEventsFilter(options.subjectPrefix)
      : transferFilter(options.transferId, options.subjectPrefix);
  const consumer = await options.js.consumers.get(options.stream, {
    filter_subjects: filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSeq,
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
