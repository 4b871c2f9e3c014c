/**
 * Intake's lifecycle consumer (`intake_lifecycle`): on `pr_b.done` the record becomes
 * `completed`, on `transfer.cancelled` it becomes `cancelled`, each only at the record's own
 * generation (an older generation's event is stale) and from the status it must come from; then
 * the transfer's serial reservations of that generation or earlier are released (the manifest
 * read back, its serials digested), only while the record is still completed or cancelled at the
 * event's generation. A cancel of a completed transfer takes the serials back at a later
 * generation first (retry-cancel.ts), and a release never frees those. Idempotent: a redelivery
 * finds the record already changed and releases again (a no-op). It publishes nothing.
 */
import {
  type ConsumerMetrics,
  countRedelivery,
  ensureDurableConsumer,
  type ManifestStore,
  reportConsumer,
  type SerialDigester,
  type SerialReservations,
  StoreError,
  type TransferRecord,
  type TransferStore,
} from '@interco/bus';
import { decodeEvent, eventTypeFilter, type IntercoEvent, type TransferRequest } from '@interco/contracts';
import type { Logger } from '@interco/service';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { now } from './clock.js';
import { digestSerials } from './serial-conflicts.js';

export const LIFECYCLE_CONSUMER = 'intake_lifecycle';

const ACK_WAIT_MS = 60_000;

/** How a lifecycle event that cannot be handled now comes again, and when it is given up. */
export interface LifecycleRetryOptions {
  /** Delay before the second delivery; doubled for every further one (default 2 s). */
  readonly firstDelayMs?: number;
  /** Longest delay between two deliveries (default 60 s). */
  readonly maxDelayMs?: number;
  /** Deliveries of an event whose handling keeps failing before it is terminated (default 20). */
  readonly maxDeliveries?: number;
  /** Deliveries of an event whose transfer has no record before it is terminated (default 3). */
  readonly missingRecordDeliveries?: number;
}

const RETRY_DEFAULTS: Required<LifecycleRetryOptions> = {
  firstDelayMs: 2_000,
  maxDelayMs: 60_000,
  maxDeliveries: 20,
  missingRecordDeliveries: 3,
};

export interface LifecycleDeps {
  readonly transfers: Pick<TransferStore, 'update'>;
  readonly manifests: Pick<ManifestStore, 'get'>;
  readonly reservations: Pick<SerialReservations, 'release'>;
  readonly digester: Pick<SerialDigester, 'digest'>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** The durable consumer's settings (ensureDurableConsumer). */
export function lifecycleConsumerOptions(subjectPrefix: string) {
  return {
    name: LIFECYCLE_CONSUMER,
    description: 'Interco intake: marks transfers completed or cancelled and frees their serials',
    ackWaitMs: ACK_WAIT_MS,
    // Unlimited for the server: the handler terminates an event it gives up on, with a log.
    maxDeliver: -1,
    filterSubjects: [
      eventTypeFilter('pr_b.done', subjectPrefix),
      eventTypeFilter('transfer.cancelled', subjectPrefix),
    ],
  };
}

/** What one lifecycle event does to the record: the status it moves to, from which. */
function transition(
  event: IntercoEvent,
): { from: TransferRecord['status']; to: TransferRecord['status'] } | undefined {
  if (event.type === 'pr_b.done') return { from: 'active', to: 'completed' };
  if (event.type === 'transfer.cancelled') return { from: 'cancelling', to: 'cancelled' };
  return undefined;
}

export type LifecycleOutcome = 'changed' | 'released' | 'stale' | 'missing' | 'ignored';

/**
 * Applies one lifecycle event. Answers what happened (for logs and tests): `changed` (the
 * record moved and the serials were released), `released` (the record had moved already: the
 * serials were released again), `stale` (another generation, or a status it cannot come from:
 * nothing released), `missing` (no record), `ignored` (not a lifecycle event).
 */
export async function applyLifecycleEvent(
  deps: LifecycleDeps,
  event: IntercoEvent,
): Promise<LifecycleOutcome> {
  const move = transition(event);
  if (move === undefined) return 'ignored';
  let changed = false;
  const updated_at = now(deps).toISOString();
  const result = await deps.transfers.update(event.transferid, (current) => {
    changed = false;
    if (current.generation !== event.generation || current.status !== move.from) return undefined;
    changed = true;
    return { ...current, status: move.to, updated_at };
  });
  if (result === undefined) return 'missing';
  const { record } = result;
  // Released only while the record is completed (cancelled) at this event's generation: a cancel
  // of the completed transfer has moved it on (reclaiming, then cancelling a generation later).
  if (record.status !== move.to || record.generation !== event.generation) return 'stale';
  let manifest: TransferRequest;
  try {
    manifest = await deps.manifests.get(record.manifest.ref, record.manifest.digest, record.transfer_id);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    // Not worth a redelivery: the holder is no longer active, so its reservations are taken
    // over by the next transfer that needs them.
    deps.logger.error(
      { transfer_id: record.transfer_id, err: error },
      `transfer ${record.status}, but its manifest cannot be read: its serial reservations stay until taken over`,
    );
    return changed ? 'changed' : 'released';
  }
  const digests = digestSerials(manifest, (serial) => deps.digester.digest(serial)).map(
    (serial) => serial.digest,
  );
  // Only what the transfer held at this generation or before: serials a later cancel took back
  // (a later generation) stay held.
  const released = await deps.reservations.release(record.transfer_id, digests, {
    throughGeneration: event.generation,
  });
  deps.logger.info(
    { transfer_id: record.transfer_id, generation: record.generation, status: record.status, released },
    changed
      ? `transfer ${record.status}: serials released`
      : `transfer already ${record.status}: serials released again`,
  );
  return changed ? 'changed' : 'released';
}

/** The delay before delivery `delivery + 1` of an event: doubling from the first, capped. */
export function lifecycleRetryDelay(delivery: number, options: LifecycleRetryOptions = {}): number {
  const { firstDelayMs, maxDelayMs } = { ...RETRY_DEFAULTS, ...options };
  const exponent = Math.min(Math.max(delivery - 1, 0), 30);
  return Math.min(maxDelayMs, firstDelayMs * 2 ** exponent);
}

export interface LifecycleConsumer {
  /** Whether the consumer is pulling messages. */
  running(): boolean;
  /** Stops pulling; the message in hand finishes (acked or not) first. */
  stop(): Promise<void>;
}

/**
 * Handles one delivered message: ack when applied; an event that is not an Interco event is
 * terminated at once; one whose transfer has no record, or whose handling fails, comes again
 * with a growing delay and is terminated (with an error log) after a bounded number of
 * deliveries.
 */
export async function handleLifecycleMessage(
  deps: LifecycleDeps,
  message: Pick<JsMsg, 'data' | 'seq' | 'subject' | 'info' | 'ack' | 'nak' | 'term'>,
  options: LifecycleRetryOptions = {},
): Promise<LifecycleOutcome | 'dropped' | 'retry'> {
  const settings = { ...RETRY_DEFAULTS, ...options };
  const delivery = message.info.deliveryCount;
  const decoded = decodeEvent(message.data);
  if (!decoded.ok) {
    deps.logger.error(
      { seq: message.seq, subject: message.subject },
      'lifecycle: not an Interco event; terminated',
    );
    message.term('not an Interco event');
    return 'dropped';
  }
  const event = decoded.value;
  const context = { seq: message.seq, transfer_id: event.transferid, type: event.type, delivery };
  let outcome: LifecycleOutcome;
  try {
    outcome = await applyLifecycleEvent(deps, event);
  } catch (error) {
    if (delivery >= settings.maxDeliveries) {
      deps.logger.error(
        { ...context, err: error },
        `lifecycle: handling failed ${delivery} times; the event is terminated (the record and the serial reservations of this transfer need a look)`,
      );
      message.term('handling kept failing');
      return 'dropped';
    }
    const delay = lifecycleRetryDelay(delivery, settings);
    deps.logger.warn(
      { ...context, err: error, retry_in_ms: delay },
      'lifecycle: handling failed; the event comes again',
    );
    message.nak(delay);
    return 'retry';
  }
  if (outcome === 'missing') {
    if (delivery >= settings.missingRecordDeliveries) {
      deps.logger.error(context, 'lifecycle: the transfer has no record; the event is terminated');
      message.term('no transfer record');
      return 'dropped';
    }
    const delay = lifecycleRetryDelay(delivery, settings);
    deps.logger.warn(
      { ...context, retry_in_ms: delay },
      'lifecycle: the transfer has no record (yet?); the event comes again',
    );
    message.nak(delay);
    return 'retry';
  }
  message.ack();
  return outcome;
}

/** Creates (or brings to its settings) the durable consumer and starts handling its messages. */
export async function startLifecycleConsumer(
  deps: LifecycleDeps & {
    readonly js: JetStreamClient;
    readonly jsm: JetStreamManager;
    readonly stream: string;
    readonly subjectPrefix: string;
    readonly retry?: LifecycleRetryOptions;
    /** Where the consumer's pending counts (read at scrape time) and redeliveries are recorded. */
    readonly metrics?: ConsumerMetrics;
  },
): Promise<LifecycleConsumer> {
  await ensureDurableConsumer(
    deps.jsm,
    { stream: deps.stream },
    lifecycleConsumerOptions(deps.subjectPrefix),
  );
  const consumer = await deps.js.consumers.get(deps.stream, LIFECYCLE_CONSUMER);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 16 });
  const stopReporting =
    deps.metrics === undefined
      ? () => {}
      : reportConsumer(deps.metrics, LIFECYCLE_CONSUMER, () => consumer.info());
  let running = true;
  const loop = (async () => {
    for await (const message of messages) {
      countRedelivery(deps.metrics, LIFECYCLE_CONSUMER, message.info.deliveryCount);
      await handleLifecycleMessage(deps, message, deps.retry);
    }
  })().finally(() => {
    running = false;
  });
  return {
    running: () => running,
    stop: async () => {
      stopReporting();
      await messages.close();
      await loop.catch(() => undefined);
    },
  };
}
