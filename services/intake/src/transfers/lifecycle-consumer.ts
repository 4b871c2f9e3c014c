/**
 * Intake's lifecycle consumer (`intake_lifecycle`): on `pr_b.done` the record becomes
 * `completed`, on `transfer.cancelled` it becomes `cancelled`, each only at the record's own
 * generation (an older generation's event is stale) and from the status it must come from; then
 * the transfer's serial reservations are released (the manifest read back, its serials
 * digested). Idempotent: a redelivery finds the record already changed and releases again (a
 * no-op). It publishes nothing.
 */
import {
  type ManifestStore,
  type SerialDigester,
  type SerialReservations,
  StoreError,
  type TransferRecord,
  type TransferStore,
} from '@interco/bus';
import { decodeEvent, eventTypeFilter, type IntercoEvent, type TransferRequest } from '@interco/contracts';
import type { Logger } from '@interco/service';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { digestSerials } from './serial-conflicts.js';

export const LIFECYCLE_CONSUMER = 'intake_lifecycle';

const ACK_WAIT_MS = 60_000;
/** Delay before a message whose handling failed (NATS, KV) comes again. */
const RETRY_DELAY_MS = 2_000;

export interface LifecycleDeps {
  readonly transfers: Pick<TransferStore, 'update'>;
  readonly manifests: Pick<ManifestStore, 'get'>;
  readonly reservations: Pick<SerialReservations, 'release'>;
  readonly digester: Pick<SerialDigester, 'digest'>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export function lifecycleConsumerConfig(subjectPrefix: string) {
  return {
    durable_name: LIFECYCLE_CONSUMER,
    description: 'Interco intake: marks transfers completed or cancelled and frees their serials',
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(ACK_WAIT_MS),
    max_deliver: -1,
    filter_subjects: [
      eventTypeFilter('pr_b.done', subjectPrefix),
      eventTypeFilter('transfer.cancelled', subjectPrefix),
    ],
    deliver_policy: DeliverPolicy.All,
  } satisfies Partial<ConsumerConfig>;
}

/** What one lifecycle event does to the record: the status it moves to, from which. */
function transition(
  event: IntercoEvent,
): { from: TransferRecord['status']; to: TransferRecord['status'] } | undefined {
  if (event.type === 'pr_b.done') return { from: 'active', to: 'completed' };
  if (event.type === 'transfer.cancelled') return { from: 'cancelling', to: 'cancelled' };
  return undefined;
}

/**
 * Applies one lifecycle event. Answers what happened (for logs and tests): `changed` (the
 * record moved and the serials were released), `released` (the record had moved already: the
 * serials were released again), `stale` (another generation, or a status it cannot come from),
 * `missing` (no record), `ignored` (not a lifecycle event).
 */
export async function applyLifecycleEvent(
  deps: LifecycleDeps,
  event: IntercoEvent,
): Promise<'changed' | 'released' | 'stale' | 'missing' | 'ignored'> {
  const move = transition(event);
  if (move === undefined) return 'ignored';
  let changed = false;
  const updated_at = (deps.now ?? (() => new Date()))().toISOString();
  const result = await deps.transfers.update(event.transferid, (current) => {
    changed = false;
    if (current.generation !== event.generation || current.status !== move.from) return undefined;
    changed = true;
    return { ...current, status: move.to, updated_at };
  });
  if (result === undefined) return 'missing';
  const { record } = result;
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
  const released = await deps.reservations.release(record.transfer_id, digests);
  deps.logger.info(
    { transfer_id: record.transfer_id, generation: record.generation, status: record.status, released },
    changed
      ? `transfer ${record.status}: serials released`
      : `transfer already ${record.status}: serials released again`,
  );
  return changed ? 'changed' : 'released';
}

export interface LifecycleConsumer {
  /** Whether the consumer is pulling messages. */
  running(): boolean;
  /** Stops pulling; the message in hand finishes (acked or not) first. */
  stop(): Promise<void>;
}

/** Creates (or brings to its settings) the durable consumer and starts handling its messages. */
export async function startLifecycleConsumer(
  deps: LifecycleDeps & {
    readonly js: JetStreamClient;
    readonly jsm: JetStreamManager;
    readonly stream: string;
    readonly subjectPrefix: string;
  },
): Promise<LifecycleConsumer> {
  await ensureConsumer(deps.jsm, deps.stream, lifecycleConsumerConfig(deps.subjectPrefix));
  const consumer = await deps.js.consumers.get(deps.stream, LIFECYCLE_CONSUMER);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 16 });
  let running = true;
  const loop = (async () => {
    for await (const message of messages) {
      const decoded = decodeEvent(message.data);
      if (!decoded.ok) {
        deps.logger.error(
          { seq: message.seq, subject: message.subject },
          'lifecycle: not an Interco event; dropped',
        );
        message.term('not an Interco event');
        continue;
      }
      try {
        await applyLifecycleEvent(deps, decoded.value);
        message.ack();
      } catch (error) {
        deps.logger.warn(
          { err: error, transfer_id: decoded.value.transferid, type: decoded.value.type },
          'lifecycle: handling failed; the event comes again',
        );
        message.nak(RETRY_DELAY_MS);
      }
    }
  })().finally(() => {
    running = false;
  });
  return {
    running: () => running,
    stop: async () => {
      await messages.close();
      await loop.catch(() => undefined);
    },
  };
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: ReturnType<typeof lifecycleConsumerConfig>,
): Promise<void> {
  const existing = await jsm.consumers.info(stream, config.durable_name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
      return undefined;
    throw error;
  });
  if (existing === undefined) {
    try {
      await jsm.consumers.add(stream, config);
      return;
    } catch (error) {
      // Another replica created it meanwhile: bring it to these settings below.
      if ((await jsm.consumers.info(stream, config.durable_name).catch(() => undefined)) === undefined)
        throw error;
    }
  }
  const { durable_name, deliver_policy: _deliver, ...mutable } = config;
  await jsm.consumers.update(stream, durable_name, mutable);
}
