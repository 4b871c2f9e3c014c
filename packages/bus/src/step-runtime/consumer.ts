/**
 * The durable pull consumer of a step (`step_<step>`): explicit ack, `ack_wait` (30 s by default,
 * kept alive by the heartbeat while a message is worked on), unlimited deliveries (retries are
 * bounded by time, not count), filtered on the step's input event types. Created with every event
 * from the start of the stream when missing; brought to these settings when it exists.
 */
import type { Step } from '@interco/contracts';
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
import { consumerName, inputFilterSubjects } from './inputs.js';

export interface StepConsumerOptions {
  ackWaitMs: number;
  /** Messages delivered and not yet acked, over every replica of the step. */
  maxAckPending: number;
}

export function stepConsumerConfig(step: Step, names: BusNames, options: StepConsumerOptions) {
  return {
    durable_name: consumerName(step),
    description: `Interco step ${step}: its forward, retry and compensation inputs`,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: options.maxAckPending,
    filter_subjects: inputFilterSubjects(step, names.subjectPrefix),
    deliver_policy: DeliverPolicy.All,
  } satisfies Partial<ConsumerConfig>;
}

export async function ensureStepConsumer(
  jsm: JetStreamManager,
  names: BusNames,
  step: Step,
  options: StepConsumerOptions,
): Promise<ConsumerInfo> {
  const config = stepConsumerConfig(step, names, options);
  const existing = await jsm.consumers.info(names.stream, config.durable_name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
      return undefined;
    throw error;
  });
  if (existing === undefined) {
    try {
      return await jsm.consumers.add(names.stream, config);
    } catch (error) {
      // Another replica created it meanwhile: bring it to these settings below.
      const now = await jsm.consumers.info(names.stream, config.durable_name).catch(() => undefined);
      if (now === undefined) throw error;
    }
  } else if (sameSettings(existing.config, config)) {
    return existing;
  }
  const { durable_name, deliver_policy, ...mutable } = config;
  void deliver_policy;
  return jsm.consumers.update(names.stream, durable_name, mutable);
}

function sameSettings(have: ConsumerConfig, want: ReturnType<typeof stepConsumerConfig>): boolean {
  const filters = [...(have.filter_subjects ?? [])].sort().join(',');
  return (
    have.ack_policy === want.ack_policy &&
    have.ack_wait === want.ack_wait &&
    have.max_deliver === want.max_deliver &&
    have.max_ack_pending === want.max_ack_pending &&
    filters === [...want.filter_subjects].sort().join(',')
  );
}
