import type { Principal } from '@interco/auth';
import type {
  ManifestStore,
  SerialDigester,
  SerialReservations,
  TransferRecord,
  TransferRecordStatus,
  TransferStore,
} from '@interco/bus';
import { foldTransfer, type IntercoEvent, newEvent } from '@interco/contracts';
import type { Logger } from '@interco/service';
import { ApiError, notFound } from '../errors/api-error.js';
import { decideCancel, decideRetry } from './decide-retry-cancel.js';
import { digestSerials, serialsInUse } from './serial-conflicts.js';
import { INTAKE_SOURCE } from './submit-transfer.js';
import { Undo } from './undo.js';

export interface RetryCancelDeps {
  readonly transfers: Pick<TransferStore, 'get' | 'update'>;
  readonly manifests: Pick<ManifestStore, 'get'>;
  readonly reservations: Pick<SerialReservations, 'reserve' | 'release'>;
  readonly digester: Pick<SerialDigester, 'digest'>;
  /** The transfer's events in stream order (readTransferHistory). */
  readonly history: (transferId: string) => Promise<IntercoEvent[]>;
  readonly publish: (event: IntercoEvent) => Promise<unknown>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface RequestAnswer {
  transfer_id: string;
  /** The generation the request opened (events of older generations are stale from now on). */
  generation: number;
}

/**
 * POST /v1/transfers/{id}/retry: a failed transfer re-drives its failed step, one whose cancel
 * failed runs the compensation again; both open a new generation. Otherwise 409 saying why.
 */
export async function retryTransfer(
  deps: RetryCancelDeps,
  transferId: string,
  principal: Principal,
  reason: string | undefined,
): Promise<RequestAnswer> {
  const { record, history } = await load(deps, transferId);
  const decision = decideRetry(foldTransfer(history), record);
  if (!decision.ok) throw new ApiError(409, 'transfer_state', decision.reason);
  const status: TransferRecordStatus = decision.kind === 'retry' ? 'active' : 'cancelling';
  const next = await openGeneration(deps, record, status);
  const context = eventContext(transferId, next.generation, principal);
  const event =
    decision.kind === 'retry'
      ? newEvent('transfer.retry_requested', context, { step: decision.step, ...reasonOf(reason) }, now(deps))
      : newEvent('transfer.cancel_requested', context, reasonOf(reason), now(deps));
  await deps.publish(event);
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
 * are reserved again first (409 naming them if another transfer holds one meanwhile).
 */
export async function cancelTransfer(
  deps: RetryCancelDeps,
  transferId: string,
  principal: Principal,
  reason: string | undefined,
): Promise<RequestAnswer> {
  const { record, history } = await load(deps, transferId);
  const decision = decideCancel(foldTransfer(history), record, history);
  if (!decision.ok) throw new ApiError(409, 'transfer_state', decision.reason);

  if (decision.kind === 'republish') {
    const context = eventContext(transferId, record.generation, principal);
    await deps.publish(newEvent('transfer.cancel_requested', context, reasonOf(reason), now(deps)));
    return { transfer_id: transferId, generation: record.generation };
  }

  const reservedAgain = decision.reserveAgain ? await reserveAgain(deps, record) : undefined;
  let next: TransferRecord;
  try {
    next = await openGeneration(deps, record, 'cancelling');
  } catch (error) {
    if (reservedAgain !== undefined) {
      const undo = new Undo();
      undo.push('release the serials reserved again', () =>
        deps.reservations.release(transferId, reservedAgain),
      );
      await undo.run(deps.logger, { transfer_id: transferId });
    }
    throw error;
  }
  // From here the record says cancelling: if the publish fails, asking again publishes it
  // (decideCancel's `republish`), so nothing is undone.
  const context = eventContext(transferId, next.generation, principal);
  await deps.publish(newEvent('transfer.cancel_requested', context, reasonOf(reason), now(deps)));
  deps.logger.info(
    { transfer_id: transferId, generation: next.generation, actor: principal.tokenId },
    'cancel requested',
  );
  return { transfer_id: transferId, generation: next.generation };
}

/** Reserves a completed transfer's serials again (409 naming those another transfer took); the digests. */
async function reserveAgain(deps: RetryCancelDeps, record: TransferRecord): Promise<string[]> {
  const id = record.transfer_id;
  const manifest = await deps.manifests.get(record.manifest.ref, record.manifest.digest, id);
  const serials = digestSerials(manifest, (serial) => deps.digester.digest(serial));
  const digests = serials.map((serial) => serial.digest);
  const reserved = await deps.reservations.reserve(id, digests);
  if (!reserved.ok) {
    throw serialsInUse(
      serials,
      reserved.conflicts,
      'cancelling a completed transfer takes its serials back, so that transfer must complete or be cancelled first',
    );
  }
  return digests;
}

async function load(
  deps: RetryCancelDeps,
  transferId: string,
): Promise<{ record: TransferRecord; history: IntercoEvent[] }> {
  const found = await deps.transfers.get(transferId);
  if (found === undefined) throw notFound(`there is no transfer ${transferId}`);
  return { record: found.record, history: await deps.history(transferId) };
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
    throw new ApiError(
      409,
      'transfer_state',
      `transfer ${seen.transfer_id} changed while this request was handled (another retry or cancel): read its status and ask again`,
    );
  }
  return result.record;
}

/** Who an event intake publishes is from. */
function eventContext(transferId: string, generation: number, principal: Principal) {
  return { transferid: transferId, generation, actor: principal.tokenId, source: INTAKE_SOURCE };
}

function reasonOf(reason: string | undefined): { reason?: string } {
  return reason === undefined ? {} : { reason };
}

function now(deps: RetryCancelDeps): Date {
  return (deps.now ?? (() => new Date()))();
}
