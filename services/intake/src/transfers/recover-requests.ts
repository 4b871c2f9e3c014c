/**
 * At intake's start, in the background: every transfer record whose generation stands for a
 * request event the stream lacks (a publish that failed after the record was written, and no
 * client repeated the request) has that event published (the stored `transfer.requested`, or a
 * `transfer.retry_requested` / `transfer.cancel_requested` at the record's generation, whose
 * message id makes a copy that did land inside the duplicate window a no-op); a record left
 * `reclaiming` by a cancel that died is set back to `completed`. Terminal records (completed,
 * cancelled) cost one KV read each; the others one history read.
 */
import type { TransferRecord } from '@interco/bus';
import { foldTransfer } from '@interco/contracts';
import { now } from './clock.js';
import { missingRequest, reclaimIsStale } from './decide-retry-cancel.js';
import { type RequestDeps, requestEvent, undoReclaim } from './request-events.js';
import { INTAKE_SOURCE } from './submit-transfer.js';

export interface RecoverDeps extends RequestDeps {
  /** Every transfer id with a record (TransferStore's bucket keys). */
  readonly ids: () => Promise<AsyncIterable<string>>;
}

export interface RecoverSummary {
  /** Records looked at. */
  checked: number;
  /** Request events published. */
  published: number;
  /** Stale reclaims set back to completed. */
  reclaimsUndone: number;
  /** Records that could not be looked at (logged). */
  failed: number;
}

/** Who a recovered event names as its actor: intake itself (the request's token is not kept). */
export const RECOVERY_ACTOR = INTAKE_SOURCE;

const CONCURRENCY = 8;

/** Runs the sweep once; `signal` stops it between records. */
export async function recoverRequests(deps: RecoverDeps, signal?: AbortSignal): Promise<RecoverSummary> {
  const summary: RecoverSummary = { checked: 0, published: 0, reclaimsUndone: 0, failed: 0 };
  const running = new Set<Promise<void>>();
  for await (const id of await deps.ids()) {
    if (signal?.aborted) break;
    const one = recoverOne(deps, id, summary)
      .catch((error: unknown) => {
        summary.failed++;
        deps.logger.warn({ transfer_id: id, err: error }, 'recovery: could not check this transfer');
      })
      .finally(() => running.delete(one));
    running.add(one);
    if (running.size >= CONCURRENCY) await Promise.race(running);
  }
  await Promise.all(running);
  if (summary.published > 0 || summary.reclaimsUndone > 0 || summary.failed > 0) {
    deps.logger.info(summary, 'recovery: requests published again');
  }
  return summary;
}

async function recoverOne(deps: RecoverDeps, id: string, summary: RecoverSummary): Promise<void> {
  const found = await deps.transfers.get(id);
  if (found === undefined) return;
  summary.checked++;
  const { record } = found;
  if (record.status === 'completed' || record.status === 'cancelled') return;
  if (record.status === 'reclaiming') {
    if (await undoStaleReclaim(deps, record)) summary.reclaimsUndone++;
    return;
  }
  const history = await deps.history(id);
  const missing = missingRequest(foldTransfer(history), record, history);
  if (missing === undefined) return;
  await deps.publish(requestEvent(record, missing, RECOVERY_ACTOR, undefined, now(deps)));
  summary.published++;
  deps.logger.warn(
    { transfer_id: id, generation: record.generation, type: missing.type },
    'recovery: the request event was missing from the stream: published',
  );
}

async function undoStaleReclaim(deps: RecoverDeps, seen: TransferRecord): Promise<boolean> {
  if (!reclaimIsStale(seen, now(deps))) return false;
  const wrote = await undoReclaim(deps, seen);
  if (wrote) {
    deps.logger.warn(
      { transfer_id: seen.transfer_id, generation: seen.generation },
      'recovery: a cancel that died while taking back the serials of a completed transfer: the transfer is completed again',
    );
  }
  return wrote;
}
