import type { HolderState, TransferRecord } from '@interco/bus';
import { reclaimIsStale } from './decide-retry-cancel.js';

/**
 * What a transfer holding serial reservations is now (SerialReservations' `holderState`):
 * `active`, `cancelling` and `reclaiming` (a cancel of a completed transfer taking its serials
 * back) keep them; `completed` and `cancelled` leave leftovers; so does a reclaim whose request
 * died (`reclaiming` longer than RECLAIM_STALE_MS: the transfer is completed still).
 */
export function holderStateOf(record: TransferRecord | undefined, at: Date): HolderState {
  if (record === undefined) return 'unknown';
  switch (record.status) {
    case 'active':
    case 'cancelling':
      return 'active';
    case 'reclaiming':
      return reclaimIsStale(record, at) ? 'inactive' : 'active';
    case 'completed':
    case 'cancelled':
      return 'inactive';
  }
}
