/**
 * startStepWorker: the step's durable consumer, consumed with bounded concurrency. The iterator
 * over `consume()` only moves on once a slot is free, so no more than the concurrency is worked
 * on at once and no more than that is pulled ahead (`max_messages`). `drain()` stops pulling,
 * naks what was pulled but not started (it comes back at once, to another replica), waits for
 * the messages in hand (they publish and ack), then resolves. `stop()` is abrupt, as a kill:
 * nothing more is acked, published or released.
 */
import { hostname } from 'node:os';
import { newUlid } from '@interco/contracts';
import type { SecretBox } from '@interco/erpnext';
import type { Logger } from '@interco/service';
import { type ConsumerMessages, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { BusNames } from '../names.js';
import { LeaseStore } from '../stores/lease-store.js';
import { ManifestStore } from '../stores/manifest-store.js';
import { TransferStore } from '../stores/transfer-store.js';
import { EventPublisher } from '../stream/event-publisher.js';
import { readTransferHistory } from '../stream/transfer-history.js';
import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff.js';
import { StepClients } from './clients.js';
import { ensureStepConsumer } from './consumer.js';
import type { StepDefinition } from './definition.js';
import { handleMessage, type StepRuntime } from './handler.js';
import { consumerName } from './inputs.js';
import { Semaphore } from './semaphore.js';

export const DEFAULT_STEP_CONCURRENCY = 8;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_TIME_BUDGET_MS = 24 * 60 * 60 * 1000;

export interface StepWorkerOptions {
  nc: NatsConnection;
  names: BusNames;
  definition: StepDefinition;
  /** Opens the manifests and the instance registry's credentials (INTERCO_SECRET_KEY). */
  box: SecretBox;
  logger: Logger;
  /** Messages worked on at once (default 8). */
  concurrency?: number;
  /** The consumer's ack_wait (default 30 s); the heartbeat beats every third of it. */
  ackWaitMs?: number;
  /** How long transient failures are retried, from the input event's time (default 24 h). */
  timeBudgetMs?: number;
  /** Backoff between transient failures (default 1 s to 60 s). */
  backoff?: BackoffOptions;
  now?: () => Date;
  random?: () => number;
}

export interface StepWorker {
  /** Consuming (the loop over the consumer runs), not draining, not stopped, the connection open. */
  ready(): boolean;
  /** Stops pulling, lets the messages in hand finish (publish and ack), then resolves. */
  drain(): Promise<void>;
  /** Abrupt, as a kill: stops pulling, nothing more is acked, published or released. */
  stop(): Promise<void>;
}

export async function startStepWorker(options: StepWorkerOptions): Promise<StepWorker> {
  const { nc, names, definition, box } = options;
  const concurrency = options.concurrency ?? DEFAULT_STEP_CONCURRENCY;
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('concurrency must be 1 or more');
  if (!(ackWaitMs >= 1_000)) throw new RangeError('ackWaitMs must be at least 1,000');
  const logger = options.logger.child({ step: definition.step });

  const js = jetstream(nc);
  await ensureStepConsumer(await jetstreamManager(nc), names, definition.step, {
    ackWaitMs,
    maxAckPending: Math.max(1_000, concurrency * 10),
  });
  const [transfers, manifests, leases, clients] = await Promise.all([
    TransferStore.open(nc, names),
    ManifestStore.open(nc, names, box),
    LeaseStore.open(nc, names),
    StepClients.open(nc, { bucket: names.buckets.instances, box, logger }),
  ]);
  const publisher = new EventPublisher(js, names);

  let draining = false;
  let killed = false;
  const runtime: StepRuntime = {
    definition,
    transfers,
    manifests,
    leases,
    publisher,
    clients,
    history: (transferId) => readTransferHistory(js, names, transferId),
    logger: options.logger,
    ackWaitMs,
    timeBudgetMs: options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    now: options.now ?? (() => new Date()),
    random: options.random ?? Math.random,
    owner: `${definition.service}@${hostname()}:${process.pid}:${newUlid()}`,
    killed: () => killed,
  };

  const consumer = await js.consumers.get(names.stream, consumerName(definition.step));
  let messages: ConsumerMessages;
  try {
    messages = await consumer.consume({ max_messages: concurrency });
  } catch (error) {
    await clients.close();
    throw error;
  }
  const slots = new Semaphore(concurrency);
  let consuming = true;
  const loop = (async () => {
    for await (const msg of messages) {
      if (killed) break;
      if (draining) {
        msg.nak();
        continue;
      }
      await slots.acquire();
      if (draining || killed) {
        slots.release();
        if (!killed) msg.nak();
        continue;
      }
      handleMessage(runtime, msg)
        .catch((error: unknown) => {
          // handleMessage settles every message itself; this is a bug: the message comes back after ack_wait.
          logger.error({ err: error }, 'a message handler failed');
        })
        .finally(() => slots.release());
    }
  })()
    .catch((error: unknown) => {
      logger.error({ err: error }, 'the consumer stopped');
    })
    .finally(() => {
      consuming = false;
    });
  logger.info(
    { consumer: consumerName(definition.step), concurrency, ack_wait_ms: ackWaitMs },
    'step worker started',
  );

  let drained: Promise<void> | undefined;
  return {
    ready: () => consuming && !draining && !killed && !nc.isClosed(),
    drain() {
      drained ??= (async () => {
        draining = true;
        logger.info({ in_flight: slots.held }, 'draining: no more messages are pulled');
        messages.stop();
        await loop;
        await slots.idle();
        await clients.close();
        logger.info({}, 'drained');
      })();
      return drained;
    },
    async stop() {
      killed = true;
      messages.stop();
      await clients.close();
    },
  };
}
