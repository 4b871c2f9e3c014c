import { allEventsFilter, transferFilter } from '@interco/contracts';
import { withinTime } from '@interco/metrics';
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
   * every replica): a new stream (no `afterSeq`) starts at the first event of the batches it has
   * in flight (liveStartSequence). Without it, or when its info cannot be read in
   * `consumerInfoTimeoutMs`, a new stream starts after the stream's last sequence.
   */
  readonly projectorConsumer?: string | undefined;
  /**
   * Most events before the stream's end a stream of every transfer starts with, and resumes from
   * (default LIVE_CATCH_UP_AT_MOST). A stream of one transfer is not bounded so.
   */
  readonly maxCatchUp?: number | undefined;
  /** How long the projector's consumer info is waited for (default CONSUMER_INFO_TIMEOUT_MS). */
  readonly consumerInfoTimeoutMs?: number | undefined;
}

/**
 * Most events a stream of every transfer sends that were published before it opened: a new
 * stream starts at most this many events before the end of the event stream, and a resume
 * (`Last-Event-ID`) further back is refused (LiveResumeTooOld).
 */
export const LIVE_CATCH_UP_AT_MOST = 1_000;

/** How long a new stream waits for the projector's consumer info before starting from now. */
export const CONSUMER_INFO_TIMEOUT_MS = 1_000;

/** What the projector's durable consumer says of its position (JetStream's consumer info). */
export interface ProjectorPosition {
  /** `ack_floor.stream_seq`: every message up to it is acked (written in the read model). */
  readonly ackFloor: number;
  /** `delivered.stream_seq`: the last message delivered to a projector. */
  readonly delivered: number;
  /** `num_ack_pending`: messages delivered and not acked yet (in flight, or nak'ed to come again). */
  readonly ackPending: number;
}

/**
 * The first stream sequence a new live stream (no Last-Event-ID) delivers: the first event of the
 * batches the projectors have in flight, `max(ack floor, delivered − ack pending) + 1`, so that
 * an event published but not yet applied when a client opens the stream and then reads the list
 * is either in the list or sent live (a few already applied ones may be sent too: clients re-read
 * until the read model shows an event).
 *
 * Why not the ack floor alone: a message the projector cannot decode is nak'ed with a 5 min delay
 * for as long as no upgraded tracker runs, and a transfer whose write fails is nak'ed for up to
 * 5 min each time: the ack floor stays at such a message while the projectors go on acking what
 * comes after it, and every new stream would replay everything since. Why `num_ack_pending` and
 * not the consumer's `max_ack_pending` (at least 1,000): the messages delivered and not acked
 * now are the batches in flight plus those stuck messages, so the last `num_ack_pending`
 * delivered sequences hold every batch in flight (the event subjects are the stream's only
 * subjects, so stream sequences count events) while a stuck message further back is not replayed
 * (the read model does not show it; a stream is not the place to wait for it). Several projecting
 * replicas finishing their batches out of order can leave an earlier batch in flight behind that
 * window: the client's next re-read shows its events.
 *
 * Bounds: at most `maxCatchUp` events before the end when given (a stream of every transfer; one
 * transfer's stream carries that transfer's events alone and is not bounded so); after the last
 * sequence when the projector's position is unknown.
 */
export function liveStartSequence(position: {
  readonly lastSeq: number;
  readonly projector: ProjectorPosition | undefined;
  readonly maxCatchUp: number | undefined;
}): number {
  const next = position.lastSeq + 1;
  const { projector, maxCatchUp } = position;
  if (projector === undefined) return next;
  const inFlight = Math.max(projector.ackFloor, projector.delivered - projector.ackPending) + 1;
  const bounded = maxCatchUp === undefined ? inFlight : Math.max(inFlight, next - maxCatchUp);
  return Math.max(1, Math.min(next, bounded));
}

/**
 * Whether a resume after `afterSeq` goes further back than `maxCatchUp` events before the
 * stream's last sequence (refused: the client reads its data again and opens a new stream).
 */
export function resumeTooOld(position: {
  readonly afterSeq: number;
  readonly lastSeq: number;
  readonly maxCatchUp: number;
}): boolean {
  return position.lastSeq - position.afterSeq > position.maxCatchUp;
}

/** The value of `read`, or undefined when it fails or has not answered in `timeoutMs`. */
export function readWithin<T>(read: () => Promise<T>, timeoutMs: number): Promise<T | undefined> {
  return withinTime(read, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`)).catch(
    () => undefined,
  );
}

function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The projector's consumer position; undefined if unknown (no projector yet, JetStream slow). */
async function projectorPositionOf(
  jsm: JetStreamManager,
  stream: string,
  consumer: string,
  timeoutMs: number,
): Promise<ProjectorPosition | undefined> {
  const info = await readWithin(() => jsm.consumers.info(stream, consumer), timeoutMs);
  const ackFloor = info?.ack_floor?.stream_seq;
  const delivered = info?.delivered?.stream_seq;
  const ackPending = info?.num_ack_pending;
  if (!isSequence(ackFloor) || !isSequence(delivered) || !isSequence(ackPending)) return undefined;
  return { ackFloor, delivered, ackPending };
}

/** Where a feed starts, and the stream's last sequence when it opened; or a resume refused. */
async function startPosition(
  options: LiveFeedOptions,
): Promise<{ readonly startSeq: number; readonly lastSeq: number } | LiveResumeTooOld> {
  const maxCatchUp = options.maxCatchUp ?? LIVE_CATCH_UP_AT_MOST;
  const everyTransfer = options.transferId === undefined;
  const { afterSeq } = options;
  const [projector, stream] = await Promise.all([
    afterSeq !== undefined || options.projectorConsumer === undefined
      ? undefined
      : projectorPositionOf(
          options.jsm,
          options.stream,
          options.projectorConsumer,
          options.consumerInfoTimeoutMs ?? CONSUMER_INFO_TIMEOUT_MS,
        ),
    options.jsm.streams.info(options.stream),
  ]);
  const lastSeq = stream.state.last_seq;
  if (afterSeq !== undefined) {
    if (everyTransfer && resumeTooOld({ afterSeq, lastSeq, maxCatchUp }))
      return { kind: 'resume_too_old', lastSeq, maxCatchUp };
    return { startSeq: afterSeq + 1, lastSeq };
  }
  const startSeq = liveStartSequence({
    lastSeq,
    projector,
    maxCatchUp: everyTransfer ? maxCatchUp : undefined,
  });
  return { startSeq, lastSeq };
}

/** The events of a live feed as they come, until stop(). */
export interface LiveFeed {
  readonly kind: 'open';
  /**
   * The stream's last sequence when the feed opened: the events up to it were published before
   * (a catch-up or a resume), those after it came once the stream was open.
   */
  readonly lastSeq: number;
  readonly events: AsyncIterable<LiveEventData>;
  stop(): void;
}

/** A resume (`Last-Event-ID`) further back than `maxCatchUp` events before the stream's end. */
export interface LiveResumeTooOld {
  readonly kind: 'resume_too_old';
  readonly lastSeq: number;
  readonly maxCatchUp: number;
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
 * of one, from the message after `afterSeq`, or else from the first event of the projectors'
 * batches in flight (liveStartSequence; read before the consumer is made, so nothing published
 * once the feed is open is missed). stop() closes and deletes the consumer. A resume of every
 * transfer's events further back than `maxCatchUp` events is not opened (LiveResumeTooOld).
 */
export async function openLiveFeed(options: LiveFeedOptions): Promise<LiveFeed | LiveResumeTooOld> {
  const position = await startPosition(options);
  if ('kind' in position) return position;
  const { startSeq, lastSeq } = position;
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
    kind: 'open',
    lastSeq,
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
