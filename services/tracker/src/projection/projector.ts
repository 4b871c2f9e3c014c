import {
  type BusNames,
  type ConsumerMetrics,
  countRedelivery,
  ManifestStore,
  natsUnavailable,
  reportConsumer,
  type SerialDigester,
} from '@interco/bus';
import { decodeEvent } from '@interco/contracts';
import type { SecretBox } from '@interco/erpnext';
import type { Logger } from '@interco/service';
import { type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  MongoError,
  MongoNetworkError,
  MongoOperationTimeoutError,
  MongoServerSelectionError,
} from 'mongodb';
import type { SequencedEvent } from '../read-model/journal.js';
import type { TrackerStore } from '../read-model/tracker-store.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import { DocumentCache } from './document-cache.js';
import { ManifestSerials } from './manifest-serials.js';
import { sweepSerialIndex } from './serial-sweep.js';
import { writeEvents } from './store-writer.js';
import { ensureTrackerConsumer, TRACKER_ACK_WAIT_MS, TRACKER_CONSUMER } from './tracker-consumer.js';

export interface ProjectorOptions {
  readonly nc: NatsConnection;
  readonly names: BusNames;
  readonly store: TrackerStore;
  /** Opens manifests (serial index). */
  readonly box: SecretBox;
  /** The deployment's serial digester (loadSerialDigester: the stored key, loaded once at start). */
  readonly digester: Pick<SerialDigester, 'digest'>;
  readonly logger: Logger;
  /** Most events fetched and applied at once (TRACKER_BATCH_SIZE). */
  readonly batchSize: number;
  /** First creation of the consumer: start here (TRACKER_START_SEQUENCE / TRACKER_START_TIME). */
  readonly startSequence?: number | undefined;
  readonly startTime?: Date | undefined;
  /** Called with the documents each batch wrote (live updates). */
  readonly onApplied?: (docs: readonly TransferDocument[]) => void;
  /** How long a fetch waits when nothing is waiting (default and least 1 s, the client's minimum). */
  readonly fetchExpiresMs?: number;
  /** Documents kept in memory after they are written, so they are not read back (default 2,000). */
  readonly cacheSize?: number;
  /** Delay of a nak after a failed batch (default 2 s). */
  readonly retryDelayMs?: number;
  /**
   * First delay of a nak for the messages of a transfer whose write fails for good (default 5 s);
   * it doubles with each delivery of the message, up to `poisonMaxDelayMs` (default 5 min).
   */
  readonly poisonDelayMs?: number;
  readonly poisonMaxDelayMs?: number;
  /** Delay of a nak for a message that is not an event this version knows (default 5 min). */
  readonly undecodableDelayMs?: number;
  /** How often transfers whose serials could not be indexed are taken up again (default 60 s). */
  readonly serialSweepMs?: number;
  /**
   * The consumer's ack wait (default TRACKER_ACK_WAIT_MS, 60 s; tests shorten it). While a batch is
   * being written, its messages are marked in progress every third of it.
   */
  readonly ackWaitMs?: number;
  /** Where the consumer's pending counts (read at scrape time) and redeliveries are recorded. */
  readonly metrics?: ConsumerMetrics;
}

export interface ProjectorStats {
  /** Events the projector acked after writing them (copies included). */
  readonly applied_events: number;
  readonly batches: number;
  /** The highest stream sequence acked. */
  readonly last_seq: number;
  /** Messages that were not events this version can decode (nak'ed with a long delay each time). */
  readonly undecodable: number;
  /**
   * Transfers whose own write failed with a permanent error the last time they were tried (their
   * messages nak'ed with a growing delay, the rest of their batch written); one leaves the count
   * once it is written. Counted in this process.
   */
  readonly failing_transfers: number;
  /** Writes of a single transfer that failed with a permanent error (each try counts). */
  readonly transfer_failures: number;
  /** False once the fetch loop has ended (drained, or stopped by a fault): readiness reports it. */
  readonly running: boolean;
}

export interface Projector {
  /** Resolves once the consumer exists and the projector fetches; rejects if it cannot start. */
  readonly ready: Promise<void>;
  /** Stops fetching, lets the batch in hand finish (written and acked). */
  drain(): Promise<void>;
  stats(): ProjectorStats;
}

/**
 * The live tracker: the durable pull consumer `tracker` (every Interco event), fetched in
 * batches; each batch is grouped by transfer, written (writeEvents: one write per transfer), then
 * acked. While a batch is being written its messages are marked in progress (`working()`) every
 * third of the ack wait, so a slow write never has them redelivered while still in hand. A message
 * that is not an event this version can decode is logged (sequence, subject, problems; never the
 * payload) and nak'ed with a long delay: a newer event type during a rolling upgrade is applied
 * once an upgraded tracker gets it. When NATS or MongoDB are unavailable (a transient error), the
 * batch is nak'ed with a delay and comes again (applying it again is harmless). Any other failure
 * (MongoDB refusing a document: too large, invalid) is isolated: the batch is written again
 * transfer by transfer, the transfers written are acked, and only the failing transfer's messages
 * are nak'ed, with a delay growing with their delivery count. The loop itself only ends when drained.
 */
export function startProjector(options: ProjectorOptions): Projector {
  const { logger } = options;
  let stopping = false;
  let applied = 0;
  let batches = 0;
  let lastSeq = 0;
  let undecodable = 0;
  let running = true;
  const retryDelayMs = options.retryDelayMs ?? 2_000;
  const undecodableDelayMs = options.undecodableDelayMs ?? 300_000;
  const poisonDelayMs = options.poisonDelayMs ?? 5_000;
  const poisonMaxDelayMs = options.poisonMaxDelayMs ?? 300_000;
  /** Transfer id -> failed tries in a row, while its own write fails. */
  const failing = new Map<string, number>();
  let transferFailures = 0;
  const ackWaitMs = options.ackWaitMs ?? TRACKER_ACK_WAIT_MS;
  let stopReporting = () => {};

  const start = async () => {
    const jsm = await jetstreamManager(options.nc);
    await ensureTrackerConsumer(jsm, options.names, { ...options, ackWaitMs });
    const consumer = await jetstream(options.nc).consumers.get(options.names.stream, TRACKER_CONSUMER);
    if (options.metrics !== undefined && !stopping) {
      stopReporting = reportConsumer(options.metrics, TRACKER_CONSUMER, () => consumer.info());
    }
    const manifests = await ManifestStore.open(options.nc, options.names, options.box);
    const writer = {
      store: options.store,
      serials: new ManifestSerials(manifests, options.digester),
      cache: new DocumentCache(options.cacheSize ?? 2_000),
      logger,
    };
    return { consumer, writer };
  };
  const ready = start();

  // Serials a batch could not index (the manifest was not readable then) are indexed later.
  let sweeping = false;
  const sweep = async () => {
    if (sweeping || stopping) return;
    sweeping = true;
    try {
      const { writer } = await ready;
      await sweepSerialIndex({ store: writer.store, serials: writer.serials, logger });
    } catch (error) {
      logger.warn({ err: String(error) }, 'serial index sweep failed: trying again later');
    } finally {
      sweeping = false;
    }
  };
  const sweepTimer = setInterval(() => void sweep(), options.serialSweepMs ?? 60_000);
  sweepTimer.unref();
  ready.then(() => sweep()).catch(() => undefined);

  const handle = async (messages: JsMsg[], writer: Parameters<typeof writeEvents>[0]) => {
    const groups = new Map<string, SequencedEvent[]>();
    const valid: JsMsg[] = [];
    for (const message of messages) {
      const decoded = decodeEvent(message.data);
      if (!decoded.ok) {
        undecodable++;
        logger.error(
          {
            seq: message.seq,
            subject: message.subject,
            problems: decoded.problems,
            redelivered_in_ms: undecodableDelayMs,
          },
          'not an event this version can decode: left for later (an upgraded tracker applies it)',
        );
        message.nak(undecodableDelayMs);
        continue;
      }
      valid.push(message);
      const event = decoded.value;
      const group = groups.get(event.transferid) ?? [];
      group.push({ seq: message.seq, event });
      groups.set(event.transferid, group);
    }
    // Keeps the batch in hand while it is written: never redelivered meanwhile. A message leaves
    // it once acked or nak'ed (no progress mark after a message is done).
    const inHand = new Set(valid);
    const keepAlive = setInterval(
      () => {
        try {
          for (const message of inHand) message.working();
        } catch (error) {
          logger.warn({ err: String(error) }, 'marking a batch in progress failed');
        }
      },
      Math.max(1, Math.floor(ackWaitMs / 3)),
    );
    const ackAll = (done: readonly JsMsg[]) => {
      for (const message of done) {
        inHand.delete(message);
        message.ack();
      }
      if (done.length === 0) return;
      applied += done.length;
      lastSeq = Math.max(lastSeq, ...done.map((message) => message.seq));
    };
    const nakAll = (left: Iterable<JsMsg>, delayMs: (message: JsMsg) => number) => {
      for (const message of left) {
        inHand.delete(message);
        message.nak(delayMs(message));
      }
    };
    try {
      const started = performance.now();
      const written = await writeEvents(writer, groups);
      logger.debug(
        {
          events: valid.length,
          transfers: groups.size,
          written: written.length,
          ms: Math.round(performance.now() - started),
        },
        'batch applied',
      );
      clearInterval(keepAlive); // before the acks
      ackAll(valid);
      for (const id of groups.keys()) failing.delete(id);
      batches++;
      if (written.length > 0) options.onApplied?.(written);
    } catch (error) {
      const transfers = [...groups.keys()];
      const fields = { transfer_ids: transfers.slice(0, 20), transfers: transfers.length };
      if (transientFailure(error)) {
        clearInterval(keepAlive);
        if (natsUnavailable(error))
          logger.warn({ ...fields, err: String(error) }, 'NATS unavailable: batch comes again');
        else logger.error({ ...fields, err: error }, 'applying a batch failed: it comes again');
        nakAll(valid, () => retryDelayMs);
        await sleep(Math.min(retryDelayMs, 1_000));
        return;
      }
      if (groups.size > 1)
        logger.warn(
          { ...fields, err: error },
          'applying a batch failed: writing its transfers one by one to isolate the failing ones',
        );
      await isolate(valid, groups, writer, { ackAll, nakAll }, error);
      batches++;
    } finally {
      clearInterval(keepAlive);
    }
  };

  /**
   * A batch whose write failed for good: each transfer's events written alone; the messages of a
   * transfer written are acked, those of a transfer that fails again nak'ed with a delay growing
   * with their delivery count. A transient failure meanwhile naks what is left (it comes again).
   */
  const isolate = async (
    valid: readonly JsMsg[],
    groups: ReadonlyMap<string, SequencedEvent[]>,
    writer: Parameters<typeof writeEvents>[0],
    done: {
      ackAll: (messages: readonly JsMsg[]) => void;
      nakAll: (messages: Iterable<JsMsg>, delayMs: (message: JsMsg) => number) => void;
    },
    batchError: unknown,
  ) => {
    const messagesOf = new Map<string, JsMsg[]>();
    const bySeq = new Map(valid.map((message) => [message.seq, message]));
    for (const [id, entries] of groups) {
      const own = entries.flatMap((entry) => bySeq.get(entry.seq) ?? []);
      messagesOf.set(id, own);
    }
    const written: TransferDocument[] = [];
    const ids = [...groups.keys()];
    for (const [index, id] of ids.entries()) {
      const own = messagesOf.get(id) ?? [];
      try {
        // A batch of one transfer has been tried alone already.
        if (ids.length === 1) throw batchError;
        written.push(...(await writeEvents(writer, new Map([[id, groups.get(id) ?? []]]))));
        done.ackAll(own);
        failing.delete(id);
      } catch (error) {
        if (transientFailure(error)) {
          const left = ids.slice(index).flatMap((other) => messagesOf.get(other) ?? []);
          logger.warn(
            { transfers: ids.length - index, err: String(error) },
            'writing transfers one by one failed (unavailable): the rest comes again',
          );
          done.nakAll(left, () => retryDelayMs);
          break;
        }
        transferFailures++;
        failing.set(id, (failing.get(id) ?? 0) + 1);
        const deliveryCount = Math.max(1, ...own.map((message) => message.info.deliveryCount));
        const delayMs = Math.min(poisonMaxDelayMs, poisonDelayMs * 2 ** Math.min(30, deliveryCount - 1));
        logger.error(
          {
            transfer_id: id,
            delivery_count: deliveryCount,
            events: own.length,
            redelivered_in_ms: delayMs,
            err: error,
          },
          'writing a transfer failed: its events come again later, the rest of the batch is written',
        );
        done.nakAll(own, () => delayMs);
      }
    }
    if (written.length > 0) options.onApplied?.(written);
  };

  const loop = (async () => {
    const { consumer, writer } = await ready;
    // Messages waiting after the last one fetched (what the server said with it); unknown at
    // first: the first fetch asks for one, and the server says how many more wait.
    let waiting = 0;
    while (!stopping) {
      try {
        // As many as are waiting (up to a batch), at once; none waiting: the next one, when it comes.
        const fetched = await consumer.fetch({
          max_messages: Math.max(1, Math.min(options.batchSize, waiting)),
          expires: Math.max(1_000, options.fetchExpiresMs ?? 1_000),
        });
        const messages: JsMsg[] = [];
        for await (const message of fetched) {
          countRedelivery(options.metrics, TRACKER_CONSUMER, message.info.deliveryCount);
          messages.push(message);
          waiting = message.info.pending;
        }
        if (messages.length > 0) await handle(messages, writer);
      } catch (error) {
        if (stopping) break;
        logger.warn({ err: String(error) }, 'fetching events failed: trying again');
        await sleep(retryDelayMs);
      }
    }
  })();
  loop
    .catch((error: unknown) => logger.error({ err: error }, 'the projector stopped'))
    .finally(() => {
      running = false;
    });

  return {
    ready: ready.then(() => undefined),
    async drain() {
      stopping = true;
      clearInterval(sweepTimer);
      stopReporting();
      await loop.catch(() => undefined);
      await options.nc.flush().catch(() => undefined);
    },
    stats: () => ({
      applied_events: applied,
      batches,
      last_seq: lastSeq,
      undecodable,
      failing_transfers: failing.size,
      transfer_failures: transferFailures,
      running,
    }),
  };
}

/**
 * Whether a failed write may succeed as it is once the service comes back: NATS unavailable, or
 * MongoDB unreachable, not primary, timing out (what the driver marks retryable). Anything else
 * (a document refused: too large, invalid) fails again the same way.
 */
export function transientFailure(error: unknown): boolean {
  if (natsUnavailable(error)) return true;
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoOperationTimeoutError
  )
    return true;
  return error instanceof MongoError && error.hasErrorLabel('RetryableWriteError');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
