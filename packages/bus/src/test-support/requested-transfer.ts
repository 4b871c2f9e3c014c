/**
 * A transfer as intake records it, for tests that play intake's part: a request's
 * `transfer.requested` event, and the transfer record that holds it (status active, generation 1,
 * the default chunking limits). Nothing is stored or published here.
 */
import { type EventOf, newEvent, newTransferId, type TransferRequest } from '@interco/contracts';
import { chunkingFingerprint, resolveChunkingLimits } from '@interco/erpnext';
import type { TransferRecord } from '../stores/transfer-record.schema.js';

export interface RequestedTransferOptions {
  /** Default: a new transfer id. */
  transferId?: string;
  /** The event's actor and the record's (default `tok_test`). */
  actor?: string;
  /**
   * Where the manifest is stored (ManifestStore.put's answer). Default: where a ManifestStore of
   * the namespace `t` would put it, with a placeholder digest (nothing is stored).
   */
  manifest?: { ref: string; digest: string };
  /** The record's `request_digest` (default: a placeholder). */
  requestDigest?: string;
}

export interface RequestedTransfer {
  transferId: string;
  requested: EventOf<'transfer.requested'>;
  record: TransferRecord;
}

export function requestedTransfer(
  request: TransferRequest,
  options: RequestedTransferOptions = {},
): RequestedTransfer {
  const transferId = options.transferId ?? newTransferId();
  const actor = options.actor ?? 'tok_test';
  const limits = resolveChunkingLimits({});
  const requested = newEvent(
    'transfer.requested',
    { transferid: transferId, generation: 1, actor, source: 'interco/intake' },
    {
      manifest: options.manifest ?? { ref: `t_manifests/${transferId}`, digest: `sha256:${'0'.repeat(64)}` },
      instances: { a: request.company_a_instance_id, b: request.company_b_instance_id },
      companies: {
        a: request.company_a_name,
        b_customer_in_a: request.company_b_customer_name,
        a_supplier_in_b: request.company_a_supplier_name,
      },
      supplier: request.supplier,
      warehouses: { a: request.company_a_warehouse, b: request.company_b_warehouse },
      counts: {
        items: request.items.length,
        serials: request.items.reduce((sum, item) => sum + item.serials.length, 0),
      },
    },
  );
  const record: TransferRecord = {
    transfer_id: transferId,
    status: 'active',
    generation: 1,
    created_at: requested.time,
    updated_at: requested.time,
    actor,
    request_digest: options.requestDigest ?? `sha256:${'1'.repeat(64)}`,
    manifest: requested.data.manifest,
    chunking: { limits: { ...limits }, fingerprint: chunkingFingerprint(limits) },
    instances: requested.data.instances,
    counts: requested.data.counts,
    requested_event: requested,
  };
  return { transferId, requested, record };
}
