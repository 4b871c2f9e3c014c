import type { Principal } from '@interco/auth';
import {
  type IdempotencyStore,
  type ManifestStore,
  natsUnavailable,
  requestDigest,
  type SerialDigester,
  type SerialReservations,
  type TransferRecord,
  type TransferStore,
} from '@interco/bus';
import {
  type EventOf,
  type IntercoEvent,
  newEvent,
  newTransferId,
  type TransferRequest,
} from '@interco/contracts';
import type { ChunkingLimits, InstanceRegistry } from '@interco/erpnext';
import { ApiError } from '@interco/http';
import type { Logger } from '@interco/service';
import type { IntakeErrorCode } from '../error-codes.js';
import { now } from './clock.js';
import { checkInstancesExist } from './instances-exist.js';
import { requestedEventData, serialCount } from './requested-event.js';
import { digestSerials, serialsInUse } from './serial-conflicts.js';
import { Undo } from './undo.js';

/** What a transfer submission needs: the stores and the stream (structural, so tests can fake them). */
export interface SubmitDeps {
  readonly registry: Pick<InstanceRegistry, 'describe'>;
  readonly transfers: Pick<TransferStore, 'get' | 'create' | 'delete'>;
  readonly manifests: Pick<ManifestStore, 'put' | 'delete'>;
  readonly reservations: Pick<SerialReservations, 'reserve' | 'release'>;
  readonly idempotency: Pick<IdempotencyStore, 'claim' | 'release'>;
  readonly digester: Pick<SerialDigester, 'digest'>;
  readonly publish: (event: IntercoEvent) => Promise<unknown>;
  /** The transfer's events in stream order (readTransferHistory). */
  readonly history: (transferId: string) => Promise<IntercoEvent[]>;
  /** The chunking limits every new transfer is fixed with, and their fingerprint. */
  readonly chunking: { readonly limits: ChunkingLimits; readonly fingerprint: string };
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface SubmitResult {
  transfer_id: string;
  /** True when an Idempotency-Key named a transfer made before (nothing new was made). */
  replayed: boolean;
}

/** Who publishes intake's events. */
export const INTAKE_SOURCE = 'interco/intake';

/**
 * Makes a transfer from a validated request, or answers why not (an ApiError). In order:
 * the two instances exist (422), the Idempotency-Key is claimed (same key and body: the transfer
 * made before, its `transfer.requested` published again if the stream lacks it, which heals an
 * intake that stopped before publishing; another body: 409), the serials
 * are reserved (409 naming those another active transfer holds), the manifest is stored sealed,
 * the record is created (status active, generation 1, the chunking limits fixed), and
 * `transfer.requested` is published. A failure after the claim and before the record exists
 * undoes what was done, in reverse, so nothing stays half-written; the error is thrown on (NATS
 * not answering, `natsUnavailable`, becomes a 503). Once the record exists nothing is undone (its
 * event may be on the stream, and a step acting on it, even when the publish said otherwise): a
 * publish that fails and cannot be found on the stream answers 503 `accepted, unconfirmed` with
 * the transfer id; the same request with the same Idempotency-Key (or a retry of the transfer)
 * publishes the stored event, and intake's start does so for any transfer left that way.
 */
export async function submitTransfer(
  deps: SubmitDeps,
  request: TransferRequest,
  principal: Principal,
  idempotencyKey: string | undefined,
): Promise<SubmitResult> {
  await checkInstancesExist(deps.registry, request);
  const transferId = newTransferId();
  const digest = requestDigest(request);
  const actor = principal.tokenId;
  const log = deps.logger.child({ transfer_id: transferId, actor });
  const undo = new Undo();

  if (idempotencyKey !== undefined) {
    const replayed = await claimKey(deps, actor, idempotencyKey, {
      transfer_id: transferId,
      request_digest: digest,
    });
    if (replayed !== undefined) return replayed;
    undo.push('release the idempotency key', () =>
      deps.idempotency.release(actor, idempotencyKey, transferId),
    );
  }

  let event: EventOf<'transfer.requested'>;
  try {
    const serials = digestSerials(request, (serial) => deps.digester.digest(serial));
    const reserved = await deps.reservations.reserve(
      transferId,
      serials.map((serial) => serial.digest),
    );
    if (!reserved.ok) throw serialsInUse(serials, reserved.conflicts);
    undo.push('release the serials', () =>
      deps.reservations.release(
        transferId,
        serials.map((serial) => serial.digest),
      ),
    );

    const manifest = await deps.manifests.put(transferId, request);
    undo.push('delete the manifest', () => deps.manifests.delete(manifest.ref));

    event = newEvent(
      'transfer.requested',
      { transferid: transferId, generation: 1, actor, source: INTAKE_SOURCE },
      requestedEventData(request, manifest),
      now(deps),
    );
    // Pushed first: a create whose answer was lost may have written the record.
    undo.push('delete the record', () => deps.transfers.delete(transferId));
    await deps.transfers.create(transferRecord(deps, request, event, digest));
  } catch (error) {
    await undo.run(log, { transfer_id: transferId });
    throw error;
  }

  // The record exists: from here nothing is undone.
  try {
    await publishOnce(deps, event);
  } catch (error) {
    if (!natsUnavailable(error)) throw error;
    log.warn(
      { err: error },
      'transfer recorded, but transfer.requested could not be confirmed on the stream',
    );
    throw acceptedUnconfirmed(transferId, idempotencyKey !== undefined, error);
  }
  log.info(
    { items: request.items.length, serials: serialCount(request), instances: event.data.instances },
    'transfer requested',
  );
  return { transfer_id: transferId, replayed: false };
}

/**
 * The 503 of a transfer whose record exists but whose `transfer.requested` could not be
 * confirmed on the stream: it may have started or not. It carries the transfer id; repeating
 * the request with the same Idempotency-Key answers that transfer and publishes its event if the
 * stream lacks it (without a key, a repeat would make a second transfer: its serials are held
 * by this one, so it would be refused; POST .../retry publishes the event instead).
 */
function acceptedUnconfirmed(transferId: string, withKey: boolean, cause: unknown): ApiError {
  const finish = withKey
    ? 'repeat this request with the same Idempotency-Key to complete it'
    : `do not send the request again (that would be another transfer): POST /v1/transfers/${transferId}/retry completes it`;
  return new ApiError<IntakeErrorCode>(
    503,
    'unavailable',
    `transfer ${transferId} is accepted, but the message bus did not confirm its start just now: ${finish}`,
    { transfer_id: transferId },
    { 'retry-after': '5' },
    { cause },
  );
}

function transferRecord(
  deps: SubmitDeps,
  request: TransferRequest,
  event: EventOf<'transfer.requested'>,
  digest: string,
): TransferRecord {
  return {
    transfer_id: event.transferid,
    status: 'active',
    generation: 1,
    created_at: event.time,
    updated_at: event.time,
    actor: event.actor,
    request_digest: digest,
    manifest: event.data.manifest,
    chunking: { limits: { ...deps.chunking.limits }, fingerprint: deps.chunking.fingerprint },
    instances: event.data.instances,
    counts: event.data.counts,
    ...(request.reference === undefined ? {} : { reference: request.reference }),
    requested_event: event,
  };
}

/**
 * Publishes `transfer.requested`; when the publish fails, looks whether it landed all the same
 * (an answer lost on the way back): if it did, the transfer stands (undoing it would leave its
 * event pointing at nothing); if not, or if that cannot be read either, the error is thrown on.
 */
async function publishOnce(deps: SubmitDeps, event: EventOf<'transfer.requested'>): Promise<void> {
  try {
    await deps.publish(event);
  } catch (error) {
    const landed = await deps.history(event.transferid).then(
      (history) => history.some((published) => published.id === event.id),
      () => false,
    );
    if (!landed) throw error;
    deps.logger.warn(
      { transfer_id: event.transferid, err: error },
      'the publish of transfer.requested failed, but the event is on the stream: the transfer stands',
    );
  }
}

/**
 * How long a claimed key with no record behind it counts as a request still running; after
 * that, as the claim of an intake that stopped mid-request, taken over (as serial
 * reservations are: docs/pipeline.md).
 */
export const STALE_CLAIM_MS = 10 * 60 * 1000;

/**
 * Claims the Idempotency-Key for this request: undefined when claimed (go on), or the answer
 * for a key used before: the same body's transfer, or 409.
 */
async function claimKey(
  deps: SubmitDeps,
  actor: string,
  key: string,
  value: { transfer_id: string; request_digest: string },
): Promise<SubmitResult | undefined> {
  for (let attempt = 1; ; attempt++) {
    const claim = await deps.idempotency.claim(actor, key, value);
    if (claim.claimed) return undefined;
    const { existing } = claim;
    if (existing.request_digest !== value.request_digest) {
      throw new ApiError<IntakeErrorCode>(
        409,
        'idempotency_key_reused',
        'this Idempotency-Key was used before with another request body: use a new key for a new transfer',
        { transfer_id: existing.transfer_id },
      );
    }
    const found = await deps.transfers.get(existing.transfer_id);
    if (found !== undefined) {
      await republish(deps, found.record.requested_event);
      return { transfer_id: existing.transfer_id, replayed: true };
    }
    const age = now(deps).getTime() - Date.parse(existing.created_at);
    if (attempt > 1 || !(age > STALE_CLAIM_MS)) {
      throw new ApiError<IntakeErrorCode>(
        409,
        'idempotency_key_in_progress',
        'a request with this Idempotency-Key is still being handled: try again in a moment',
        { transfer_id: existing.transfer_id },
        { 'retry-after': '1' },
      );
    }
    deps.logger.warn(
      { actor, transfer_id: existing.transfer_id },
      'an Idempotency-Key claimed by a request that never made its transfer is taken over',
    );
    await deps.idempotency.release(actor, key, existing.transfer_id);
  }
}

/**
 * Publishes a transfer's stored `transfer.requested` again unless the stream has it: this heals
 * an intake that stopped between creating the record and publishing (a copy inside the stream's
 * duplicate window would be dropped anyway; one later would be a second copy of the fact).
 */
async function republish(deps: SubmitDeps, event: EventOf<'transfer.requested'>): Promise<void> {
  const history = await deps.history(event.transferid);
  if (history.some((published) => published.id === event.id)) return;
  deps.logger.warn(
    { transfer_id: event.transferid },
    'transfer.requested was missing from the stream: published',
  );
  await deps.publish(event);
}
