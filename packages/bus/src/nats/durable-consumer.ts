/**
 * A durable pull consumer on the stream, created when missing and brought to its settings when it
 * exists (the step consumers `step_<step>`, intake's `intake_lifecycle`): explicit ack, unlimited
 * deliveries unless told otherwise, filtered on some subjects, every event from the start of the
 * stream when it is created.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { BusNames } from '../names.js';

export interface DurableConsumerOptions {
  /** The durable name. */
  readonly name: string;
  /** What it is for (shows in `nats consumer info`). */
  readonly description?: string;
  /** The subjects it delivers (at least one). */
  readonly filterSubjects: readonly string[];
  /** How long a delivered message may go unacked before it comes again. */
  readonly ackWaitMs: number;
  /** Messages delivered and not yet acked, over every replica (server default when absent). */
  readonly maxAckPending?: number;
  /** Most deliveries of one message (default -1: unlimited, the handler decides when to stop). */
  readonly maxDeliver?: number;
}

/** The consumer's configuration (deliver policy `all`: it is only used when creating it). */
export function durableConsumerConfig(options: DurableConsumerOptions) {
  if (options.filterSubjects.length === 0) {
    throw new Error(`durable consumer ${options.name}: at least one filter subject is needed`);
  }
  return {
    durable_name: options.name,
    ...(options.description === undefined ? {} : { description: options.description }),
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: options.maxDeliver ?? -1,
    ...(options.maxAckPending === undefined ? {} : { max_ack_pending: options.maxAckPending }),
    filter_subjects: [...options.filterSubjects],
    deliver_policy: DeliverPolicy.All,
  } satisfies Partial<ConsumerConfig>;
}

/**
 * Creates the consumer on `names.stream` (every event from the start of the stream) or, when it
 * exists with other settings, updates it (the deliver policy cannot change and is left alone).
 * Several replicas may call it at once: one creates it, the others find it and update it if need
 * be. Answers the consumer's info.
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  names: Pick<BusNames, 'stream'>,
  options: DurableConsumerOptions,
): Promise<ConsumerInfo> {
  const config = durableConsumerConfig(options);
  const info = () =>
    jsm.consumers.info(names.stream, config.durable_name).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
        return undefined;
      throw error;
    });
  let existing = await info();
  if (existing === undefined) {
    try {
      return await jsm.consumers.add(names.stream, config);
    } catch (error) {
      // Another replica created it meanwhile: bring it to these settings below.
      existing = await info().catch(() => undefined);
      if (existing === undefined) throw error;
    }
  }
  if (sameSettings(existing.config, config)) return existing;
  const { durable_name, deliver_policy: _deliverPolicy, ...mutable } = config;
  return jsm.consumers.update(names.stream, durable_name, mutable);
}

function sameSettings(have: ConsumerConfig, want: ReturnType<typeof durableConsumerConfig>): boolean {
  const filters = (subjects: readonly string[]) => [...subjects].sort().join(',');
  return (
    have.ack_policy === want.ack_policy &&
    have.ack_wait === want.ack_wait &&
    have.max_deliver === want.max_deliver &&
    (want.max_ack_pending === undefined || have.max_ack_pending === want.max_ack_pending) &&
    (want.description === undefined || have.description === want.description) &&
    filters(have.filter_subjects ?? (have.filter_subject === undefined ? [] : [have.filter_subject])) ===
      filters(want.filter_subjects)
  );
}
