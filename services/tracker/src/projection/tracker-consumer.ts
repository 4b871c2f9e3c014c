import { type BusNames, durableConsumerConfig, ensureDurableConsumer } from '@interco/bus';
import {
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';

/** The durable name of the tracker's consumer (every replica shares it). */
export const TRACKER_CONSUMER = 'tracker';

/** How long a fetched batch may go unacked before it comes again. */
export const TRACKER_ACK_WAIT_MS = 60_000;

/** Where a newly created consumer starts: the beginning of the stream unless given. */
export interface StartPosition {
  readonly startSequence?: number | undefined;
  readonly startTime?: Date | undefined;
}

export interface TrackerConsumerOptions extends StartPosition {
  /** Events fetched in one batch: the consumer lets at least twice as many be unacked. */
  readonly batchSize: number;
  /** How long a delivered message may go unacked (default TRACKER_ACK_WAIT_MS; tests shorten it). */
  readonly ackWaitMs?: number | undefined;
}

function trackerConsumerOptions(
  names: Pick<BusNames, 'subjectPrefix'>,
  options: Pick<TrackerConsumerOptions, 'batchSize' | 'ackWaitMs'>,
) {
  return {
    name: TRACKER_CONSUMER,
    description: 'the tracker: every Interco event into the read model',
    filterSubjects: [`${names.subjectPrefix}.t.>`],
    ackWaitMs: options.ackWaitMs ?? TRACKER_ACK_WAIT_MS,
    maxAckPending: Math.max(1000, options.batchSize * 2),
  };
}

/**
 * Creates the durable pull consumer `tracker` (`<prefix>.t.>`, explicit ack) or brings an existing
 * one to its settings. On first creation it starts at `startSequence` or `startTime` when given,
 * else at the beginning of the stream; an existing consumer keeps its position.
 */
export async function ensureTrackerConsumer(
  jsm: JetStreamManager,
  names: Pick<BusNames, 'stream' | 'subjectPrefix'>,
  options: TrackerConsumerOptions,
): Promise<ConsumerInfo> {
  const durable = trackerConsumerOptions(names, options);
  if (options.startSequence !== undefined || options.startTime !== undefined) {
    const existing = await jsm.consumers.info(names.stream, TRACKER_CONSUMER).catch((error: unknown) => {
      if (isConsumerNotFound(error)) return undefined;
      throw error;
    });
    // Another replica may create it meanwhile (then it is brought to these settings below); any
    // other refusal (a start sequence or time the server does not accept) is the caller's.
    if (existing === undefined)
      await addAt(jsm, names, durable, options).catch((error: unknown) => {
        if (!isConsumerExists(error)) throw error;
      });
  }
  return ensureDurableConsumer(jsm, names, durable);
}

/**
 * Deletes the consumer `tracker` and creates it again to start at `startSequence` (a rebuild
 * points it just after the last sequence it read).
 */
export async function resetTrackerConsumer(
  jsm: JetStreamManager,
  names: Pick<BusNames, 'stream' | 'subjectPrefix'>,
  options: TrackerConsumerOptions & { readonly startSequence: number },
): Promise<ConsumerInfo> {
  await jsm.consumers.delete(names.stream, TRACKER_CONSUMER).catch((error: unknown) => {
    if (!isConsumerNotFound(error)) throw error;
  });
  return addAt(jsm, names, trackerConsumerOptions(names, options), options);
}

function addAt(
  jsm: JetStreamManager,
  names: Pick<BusNames, 'stream'>,
  durable: ReturnType<typeof trackerConsumerOptions>,
  start: StartPosition,
): Promise<ConsumerInfo> {
  const config = durableConsumerConfig(durable);
  const position =
    start.startSequence !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.startSequence }
      : start.startTime !== undefined
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.startTime.toISOString() }
        : { deliver_policy: DeliverPolicy.All };
  return jsm.consumers.add(names.stream, { ...config, ...position });
}

/**
 * JetStream's codes for "the consumer exists already": 10013 consumer name already in use, 10105
 * consumer already exists and is still active, 10148 consumer already exists.
 */
const CONSUMER_EXISTS_CODES: ReadonlySet<number> = new Set([10013, 10105, 10148]);

/** The consumer exists already (created meanwhile, by another replica). */
export function isConsumerExists(error: unknown): boolean {
  return error instanceof JetStreamApiError && CONSUMER_EXISTS_CODES.has(error.code);
}

function isConsumerNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound;
}
