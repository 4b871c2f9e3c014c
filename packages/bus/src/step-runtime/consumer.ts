/**
 * The durable pull consumer of a step (`step_<step>`): explicit ack, `ack_wait` (30 s by default,
 * kept alive by the heartbeat while a message is worked on), unlimited deliveries (retries are
 * bounded by time, not count), filtered on the step's input event types. Created with every event
 * from the start of the stream when missing; brought to these settings when it exists
 * (`ensureDurableConsumer`, shared with intake's lifecycle consumer).
 */
import type { Step } from '@interco/contracts';
import type { ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';
import type { BusNames } from '../names.js';
import {
  type DurableConsumerOptions,
  durableConsumerConfig,
  ensureDurableConsumer,
} from '../nats/durable-consumer.js';
import { consumerName, inputFilterSubjects } from './inputs.js';

export interface StepConsumerOptions {
  ackWaitMs: number;
  /** Messages delivered and not yet acked, over every replica of the step. */
  maxAckPending: number;
}

function durableOptions(step: Step, names: BusNames, options: StepConsumerOptions): DurableConsumerOptions {
  return {
    name: consumerName(step),
    description: `Interco step ${step}: its forward, retry and compensation inputs`,
    filterSubjects: inputFilterSubjects(step, names.subjectPrefix),
    ackWaitMs: options.ackWaitMs,
    maxAckPending: options.maxAckPending,
  };
}

export function stepConsumerConfig(step: Step, names: BusNames, options: StepConsumerOptions) {
  return durableConsumerConfig(durableOptions(step, names, options));
}

export async function ensureStepConsumer(
  jsm: JetStreamManager,
  names: BusNames,
  step: Step,
  options: StepConsumerOptions,
): Promise<ConsumerInfo> {
  return ensureDurableConsumer(jsm, names, durableOptions(step, names, options));
}
