/**
 * startStepWorker: the step's durable consumer, consumed with bounded concurrency. Messages are
 * pulled only for free slots: each pull (`fetch`) asks for as many messages as there are slots
 * free, and every message it brings starts at once, so none waits in the client while ack_wait
 * runs without a heartbeat (only a message being worked on has one). `drain()` stops pulling,
 * naks what was pulled but not started (it comes back at once, to another replica), waits for the
 * messages in hand (they publish and ack), then resolves. `stop()` is abrupt, as a kill: nothing
 * more is acked, published or released. A pull that fails (NATS unavailable) is logged and tried
 * again after a short wait.
 */
import { hostname } from 'node:os';
import { newUlid } from '@interco/contracts';
import type { SecretBox } from '@interco/erpnext';
import type { ServiceMetrics } from '@interco/metrics';
import type { Logger } from '@interco/service';
import { type Consumer, type ConsumerMessages, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { BusNames } from '../names.js';
import { countRedelivery, reportConsumer } from '../nats/consumer-metrics.js';
import { LeaseStore } from '../stores/lease-store.js';
import { ManifestStore } from '../stores/manifest-store.js';
import { TransferStore } from '../stores/transfer-store.js';
import { EventPublisher } from '../stream/event-publisher.js';
import { readTransferHistory } from '../stream/transfer-history.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { StepClients } from './clients.js';
import { ensureStepConsumer } from './consumer.js';
import type { StepDefinition } from './definition.js';
import { handleMessage, type InputMessage, type StepRuntime } from './handler.js';
import { consumerName } from './inputs.js';
import { errorFields } from './log-error.js';
import { Semaphore } from './semaphore.js';

export const DEFAULT_STEP_CONCURRENCY = 8;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_TIME_BUDGET_MS = 24 * 60 * 60 * 1000;
/** The longest ack_wait a step accepts: the heartbeat keeps a message alive, not ack_wait. */
export const MAX_ACK_WAIT_MS = 5 * 60 * 1000;
/** How long one pull waits for messages before the next pull. */
const PULL_EXPIRES_MS = 5_000;

export interface StepWorkerOptions {
  nc: NatsConnection;
  names: BusNames;
  definition: StepDefinition;
  /** Opens the manifests and the instance registry's credentials (INTERCO_SECRET_KEY). */
  box: SecretBox;
  logger: Logger;
  /** Messages worked on at once (default 8). */
  concurrency?: number;
  /** The consumer's ack_wait (default 30 s, at most 5 min); the heartbeat beats every third of it. */
  ackWaitMs?: number;
  /** How long transient failures are retried, from the input event's time (default 24 h). */
  timeBudgetMs?: number;
  /** Backoff between transient failures (default 1 s to 60 s). */
  backoff?: BackoffOptions;
  now?: () => Date;
  random?: () => number;
  /**
   * Where the worker records each message (outcome, duration), its consumer's pending counts
   * (read at scrape time) and redeliveries, and its ERPNext clients' requests and breakers.
   */
  metrics?: ServiceMetrics;
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
  if (!(ackWaitMs >= 1_000 && ackWaitMs <= MAX_ACK_WAIT_MS)) {
    throw new RangeError(`ackWaitMs must be from 1,000 to ${MAX_ACK_WAIT_MS.toLocaleString('en')}`);
  }
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
    StepClients.open(nc, {
      bucket: names.buckets.instances,
      box,
      logger,
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    }),
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
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };

  let consumer: Consumer;
  try {
    consumer = await js.consumers.get(names.stream, consumerName(definition.step));
  } catch (error) {
    await clients.close();
    throw error;
  }
  const durable = consumerName(definition.step);
  const stopReporting =
    options.metrics === undefined
      ? () => {}
      : reportConsumer(options.metrics, durable, () => consumer.info());
  const slots = new Semaphore(concurrency);
  const pulling = new Pulling();
  let consuming = true;
  const start = (msg: InputMessage) => {
    countRedelivery(options.metrics, durable, msg.info.deliveryCount);
    handleMessage(runtime, msg)
      .catch((error: unknown) => {
        // handleMessage settles every message itself; this is a bug: the message comes back after ack_wait.
        logger.error({ err: error }, 'a message handler failed');
      })
      .finally(() => slots.release());
  };
  const loop = (async () => {
    let failures = 0;
    while (!draining && !killed) {
      // One slot for the first message of the pull; the pull asks for every slot free.
      await slots.acquire();
      let reserved = true;
      try {
        if (draining || killed) break;
        const batch = pulling.start(
          await consumer.fetch({ max_messages: 1 + slots.free, expires: PULL_EXPIRES_MS }),
        );
        if (draining || killed) batch.stop();
        for await (const msg of batch) {
          if (killed) break;
          if (draining) {
            msg.nak();
            continue;
          }
          // Free by construction: no more messages come than the slots free when pulling.
          if (reserved) reserved = false;
          else await slots.acquire();
          start(msg);
        }
        failures = 0;
      } catch (error) {
        if (draining || killed) break;
        if (nc.isClosed()) {
          logger.warn({ ...errorFields(error) }, 'the connection is closed: no more messages are pulled');
          break;
        }
        failures++;
        const delay = backoffDelay(failures, { minMs: 500, maxMs: 5_000 });
        logger.warn({ ...errorFields(error), delay_ms: delay }, 'pulling messages failed: trying again');
        await pulling.sleep(delay);
      } finally {
        pulling.end();
        if (reserved) slots.release();
      }
    }
  })()
    .catch((error: unknown) => {
      logger.error({ err: error }, 'the consumer stopped');
    })
    .finally(() => {
      consuming = false;
    });
  logger.info({ consumer: durable, concurrency, ack_wait_ms: ackWaitMs }, 'step worker started');

  let drained: Promise<void> | undefined;
  return {
    ready: () => consuming && !draining && !killed && !nc.isClosed(),
    drain() {
      drained ??= (async () => {
        draining = true;
        logger.info({ in_flight: slots.held }, 'draining: no more messages are pulled');
        pulling.stop();
        await loop;
        await slots.idle();
        stopReporting();
        await clients.close();
        logger.info({}, 'drained');
      })();
      return drained;
    },
    async stop() {
      killed = true;
      pulling.stop();
      stopReporting();
      await clients.close();
    },
  };
}

/** The pull under way (to stop it on drain or stop) and the wait between failed pulls. */
class Pulling {
  #batch: ConsumerMessages | undefined;
  #wake: (() => void) | undefined;
  #stopped = false;

  start(batch: ConsumerMessages): ConsumerMessages {
    this.#batch = batch;
    if (this.#stopped) batch.stop();
    return batch;
  }

  end(): void {
    this.#batch = undefined;
  }

  sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#batch?.stop();
    this.#wake?.();
  }
}
