/**
 * What retry and cancel (`retry-cancel.ts`) and intake's startup recovery (`recover-requests.ts`)
 * share: the records and the stream they work on, the request event a record's generation stands
 * for, and setting a reclaim (the cancel of a completed transfer taking its serials back) back to
 * completed.
 */
import type { TransferRecord, TransferStore } from '@interco/bus';
import { type IntercoEvent, newEvent } from '@interco/contracts';
import type { Logger } from '@interco/service';
import { now } from './clock.js';
import type { MissingRequest } from './decide-retry-cancel.js';
import { INTAKE_SOURCE } from './submit-transfer.js';

export interface RequestDeps {
  readonly transfers: Pick<TransferStore, 'get' | 'update'>;
  /** The transfer's events in stream order (readTransferHistory). */
  readonly history: (transferId: string) => Promise<IntercoEvent[]>;
  readonly publish: (event: IntercoEvent) => Promise<unknown>;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** The request event of `missing` at the record's generation (transfer.requested: the stored one). */
export function requestEvent(
  record: TransferRecord,
  missing: MissingRequest,
  actor: string,
  reason: string | undefined,
  at: Date,
): IntercoEvent {
  const context = {
    transferid: record.transfer_id,
    generation: record.generation,
    actor,
    source: INTAKE_SOURCE,
  };
  const why = reason === undefined ? {} : { reason };
  switch (missing.type) {
    case 'transfer.requested':
      return record.requested_event;
    case 'transfer.retry_requested':
      return newEvent('transfer.retry_requested', context, { step: missing.step, ...why }, at);
    case 'transfer.cancel_requested':
      return newEvent('transfer.cancel_requested', context, why, at);
  }
}

/** One reclaim: the record set `reclaiming` at `generation`, written at `updated_at`. */
export type Reclaim = Pick<TransferRecord, 'transfer_id' | 'generation' | 'updated_at'>;

/** Whether the record is still that reclaim (no other request moved it since). */
export function isReclaim(current: TransferRecord, reclaim: Reclaim): boolean {
  return (
    current.status === 'reclaiming' &&
    current.generation === reclaim.generation &&
    current.updated_at === reclaim.updated_at
  );
}

/**
 * Sets the record back to `completed` if it is still that reclaim (one compare-and-set): its
 * serials are the completed transfer's again. Answers whether it wrote.
 */
export async function undoReclaim(
  deps: Pick<RequestDeps, 'transfers' | 'now'>,
  reclaim: Reclaim,
): Promise<boolean> {
  let wrote = false;
  await deps.transfers.update(reclaim.transfer_id, (current) => {
    wrote = isReclaim(current, reclaim);
    return wrote ? { ...current, status: 'completed', updated_at: now(deps).toISOString() } : undefined;
  });
  return wrote;
}
