import type { Principal } from '@interco/auth';
import {
  type ManifestStore,
  natsUnavailable,
  type SerialDigester,
  type SerialReservations,
  type TransferRecord,
  type TransferRecordStatus,
} from '@interco/bus';
import { foldTransfer, type IntercoEvent } from '@interco/contracts';
import { ApiError, notFound } from '@interco/http';
import type { IntakeErrorCode } from '../error-codes.js';
import { now } from './clock.js';
import { decideCancel, decideRetry, type MissingRequest } from './decide-retry-cancel.js';
import { isReclaim, type Reclaim, type RequestDeps, requestEvent, undoReclaim } from './request-events.js';
import { digestSerials, serialsHeldElsewhere } from './serial-conflicts.js';

export interface RetryCancelDeps extends RequestDeps {
  readonly manifests: Pick<ManifestStore, 'get'>;
  readonly reservations: Pick<SerialReservations, 'reserve' | 'release'>;
  readonly digester: Pick<SerialDigester, 'digest'>;
}

export interface RequestAnswer {
  transfer_id: string;
  /** The generation the request opened (events of older generations are stale from now on). */
  generation: number;
}

/** Who asked for a retry or a cancel, and why. */
interface Asked {
  action: 'retry' | 'cancel';
  principal: Principal;
  reason: string | undefined;
}

/**
 * POST /v1/transfers/{id}/retry: a failed transfer re-drives its failed step, one whose cancel
 * failed runs the compensation again; both open a new generation. A record that moved already
 * (an earlier request whose event could not be published) has that event published now, at its
 * generation. Otherwise 409 saying why.
 */
export async function retryTransfer(
  deps: RetryCancelDeps,
  transferId: string,
  principal: Principal,
  reason: string | undefined,
): Promise<RequestAnswer> {
  const asked: Asked = { action: 'retry', principal, reason };
  const { record, history } = await load(deps, transferId);
  const decision = decideRetry(foldTransfer(history), record, history);
  if (!decision.ok) throw new ApiError<IntakeErrorCode>(409, 'transfer_state', decision.reason);
  if (decision.kind === 'republish') {
    await publishMissing(deps, record, decision.missing, asked);
    return { transfer_id: transferId, generation: record.generation };
  }
  const status: TransferRecordStatus = decision.kind === 'retry' ? 'active' : 'cancelling';
  const next = await openGeneration(deps, record, status);
  const missing: MissingRequest =
    decision.kind === 'retry'
      ? { type: 'transfer.retry_requested', step: decision.step }
      : { type: 'transfer.cancel_requested' };
  await publishRequest(deps, next, missing, asked);
  deps.logger.info(
    { transfer_id: transferId, generation: next.generation, actor: principal.tokenId, kind: decision.kind },
    decision.kind === 'retry' ? `retry of ${decision.step} requested` : 'cancel requested again',
  );
  return { transfer_id: transferId, generation: next.generation };
}

/**
 * POST /v1/transfers/{id}/cancel: allowed unless the transfer is cancelling or cancelled. The
 * record becomes `cancelling` at generation + 1 (one compare-and-set: forward work stops before
 * its next write), then `transfer.cancel_requested` is published. A completed transfer's serials
 * are taken back first: the record becomes `reclaiming` (its serials count as held again, so no
 * new transfer can take them meanwhile), the serials are reserved at generation + 1, then the
 * record becomes `cancelling`; if another transfer holds one of them, the record is `completed`
 * again and the answer is 409 (how many, and which transfers hold them).
 */
export async function cancelTransfer(
  deps: RetryCancelDeps,
  transferId: string,
  principal: Principal,
  reason: string | undefined,
): Promise<RequestAnswer> {
  const asked: Asked = { action: 'cancel', principal, reason };
  const { record, history } = await load(deps, transferId);
  const decision = decideCancel(foldTransfer(history), record, history, now(deps));
  if (!decision.ok) {
    throw new ApiError<IntakeErrorCode>(
      409,
      'transfer_state',
      decision.reason,
      {},
      decision.retryAfterSeconds === undefined ? {} : { 'retry-after': String(decision.retryAfterSeconds) },
    );
  }

  if (decision.kind === 'republish') {
    await publishMissing(deps, record, { type: 'transfer.cancel_requested' }, asked);
    return { transfer_id: transferId, generation: record.generation };
  }

  const next = decision.reserveAgain
    ? await reclaimAndCancel(deps, record)
    : await openGeneration(deps, record, 'cancelling');
  // From here the record says cancelling: if the publish fails, asking again publishes it
  // (decideCancel's `republish`), so nothing is undone.
  await publishRequest(deps, next, { type: 'transfer.cancel_requested' }, asked);
  deps.logger.info(
    { transfer_id: transferId, generation: next.generation, actor: principal.tokenId },
    'cancel requested',
  );
  return { transfer_id: transferId, generation: next.generation };
}

/**
 * The cancel of a completed transfer (or the takeover of a reclaim whose request died): claims
 * the record (`reclaiming`, one compare-and-set, so that of two cancels at once only one goes
 * on, and its serials count as held from now on), reserves its serials at generation + 1, then
 * moves the record to `cancelling` at generation + 1. Another transfer holding a serial: the
 * record goes back to `completed` (only if it is still this claim) and 409. Nothing this
 * releases can be another request's: only the keys this reserve call wrote.
 */
async function reclaimAndCancel(deps: RetryCancelDeps, seen: TransferRecord): Promise<TransferRecord> {
  const id = seen.transfer_id;
  const generation = seen.generation + 1;
  const ours: Reclaim = { transfer_id: id, generation: seen.generation, updated_at: now(deps).toISOString() };
  const giveBack = async () => {
    try {
      await undoReclaim(deps, ours);
    } catch (error) {
      // Left reclaiming: it counts as inactive once stale (RECLAIM_STALE_MS), and a later cancel
      // (or intake's start) takes it over.
      deps.logger.error({ transfer_id: id, err: error }, 'could not set the record back to completed');
    }
  };

  let wrote = false;
  let claim: Awaited<ReturnType<RetryCancelDeps['transfers']['update']>>;
  try {
    claim = await deps.transfers.update(id, (current) => {
      wrote =
        current.generation === seen.generation &&
        current.status === seen.status &&
        current.updated_at === seen.updated_at;
      return wrote ? { ...current, status: 'reclaiming', updated_at: ours.updated_at } : undefined;
    });
  } catch (error) {
    await giveBack(); // a claim whose answer was lost may have been written
    throw error;
  }
  if (claim === undefined) throw notFound(`there is no transfer ${id}`);
  if (!wrote) throw changedMeanwhile(id);

  let conflicts: { digest: string; holder: string }[];
  try {
    const manifest = await deps.manifests.get(seen.manifest.ref, seen.manifest.digest, id);
    const digests = digestSerials(manifest, (serial) => deps.digester.digest(serial)).map((s) => s.digest);
    const reserved = await deps.reservations.reserve(id, digests, generation);
    conflicts = reserved.ok ? [] : reserved.conflicts;
  } catch (error) {
    await giveBack();
    throw error;
  }
  if (conflicts.length > 0) {
    await giveBack();
    throw serialsHeldElsewhere(
      id,
      conflicts,
      'cancelling a completed transfer takes its serials back, so that transfer must complete or be cancelled first',
    );
  }

  const updated_at = now(deps).toISOString();
  const result = await deps.transfers.update(id, (current) =>
    isReclaim(current, ours) ? { ...current, status: 'cancelling', generation, updated_at } : undefined,
  );
  if (result === undefined) throw notFound(`there is no transfer ${id}`);
  if (result.record.status !== 'cancelling' || result.record.generation !== generation) {
    // Another cancel took this reclaim over (it was stale): it goes on with the same serials.
    throw changedMeanwhile(id);
  }
  return result.record;
}

async function load(
  deps: RetryCancelDeps,
  transferId: string,
): Promise<{ record: TransferRecord; history: IntercoEvent[] }> {
  const found = await deps.transfers.get(transferId);
  if (found === undefined) throw notFound(`there is no transfer ${transferId}`);
  return { record: found.record, history: await deps.history(transferId) };
}

function changedMeanwhile(id: string): ApiError {
  return new ApiError<IntakeErrorCode>(
    409,
    'transfer_state',
    `transfer ${id} changed while this request was handled (another retry or cancel): read its status and ask again`,
  );
}

/**
 * Generation + 1 and `status`, if the record is still as it was read (compare-and-set); 409
 * when another request changed it meanwhile.
 */
async function openGeneration(
  deps: RetryCancelDeps,
  seen: TransferRecord,
  status: TransferRecordStatus,
): Promise<TransferRecord> {
  const generation = seen.generation + 1;
  const updated_at = now(deps).toISOString();
  const result = await deps.transfers.update(seen.transfer_id, (current) =>
    current.generation === seen.generation && current.status === seen.status
      ? { ...current, status, generation, updated_at }
      : undefined,
  );
  if (result === undefined) throw notFound(`there is no transfer ${seen.transfer_id}`);
  if (result.record.generation !== generation || result.record.status !== status) {
    throw changedMeanwhile(seen.transfer_id);
  }
  return result.record;
}

/**
 * Publishes the request event of a record that has just moved to a new generation. NATS not
 * answering: 503 saying the request is recorded and that repeating it finishes it (the repeat
 * finds the record moved and its event missing, and publishes it: `republish`).
 */
async function publishRequest(
  deps: RetryCancelDeps,
  record: TransferRecord,
  missing: MissingRequest,
  { action, principal, reason }: Asked,
): Promise<void> {
  try {
    await deps.publish(requestEvent(record, missing, principal.tokenId, reason, now(deps)));
  } catch (error) {
    if (!natsUnavailable(error)) throw error;
    deps.logger.warn(
      { transfer_id: record.transfer_id, generation: record.generation, err: error },
      `the ${action} is recorded but its event could not be published`,
    );
    throw new ApiError<IntakeErrorCode>(
      503,
      'unavailable',
      `the ${action} of transfer ${record.transfer_id} is recorded (generation ${record.generation}), but the message bus did not take its event just now: repeat this request to finish it`,
      { transfer_id: record.transfer_id, generation: record.generation },
      { 'retry-after': '5' },
      { cause: error },
    );
  }
}

/** Publishes a request event the record holds and the stream lacks (same generation, same message id). */
async function publishMissing(
  deps: RetryCancelDeps,
  record: TransferRecord,
  missing: MissingRequest,
  asked: Asked,
): Promise<void> {
  deps.logger.warn(
    {
      transfer_id: record.transfer_id,
      generation: record.generation,
      type: missing.type,
      actor: asked.principal.tokenId,
    },
    `${missing.type} was missing from the stream: published (asked by a ${asked.action})`,
  );
  await publishRequest(deps, record, missing, asked);
}
