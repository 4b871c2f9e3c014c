import { TransferStatus } from '@interco/contracts';
import type { TransferCounts } from '../http/schemas.js';
import { isStuck, type StuckClock } from './stuck.js';

/** The two fields counting needs of each transfer (a projection). */
export interface CountRow {
  readonly status: string | null;
  readonly updated_at: string | null;
}

/** Every status, in the schema's order. */
export const TRANSFER_STATUSES: readonly string[] = TransferStatus.anyOf.map((literal) => literal.const);

/** The counts themselves: what `GET /v1/transfers/counts` answers but when they were taken. */
export type StatusCounts = Omit<TransferCounts, 'as_of'>;

/** Every status at 0. */
export function noTransfers(): Record<string, number> {
  return Object.fromEntries(TRANSFER_STATUSES.map((status) => [status, 0]));
}

/** How many transfers per status (every status listed, 0 included) and how many are stuck. */
export function countTransfers(rows: Iterable<CountRow>, clock: StuckClock): StatusCounts {
  const byStatus = noTransfers();
  let total = 0;
  let stuck = 0;
  for (const row of rows) {
    if (row.status === null) continue;
    total++;
    byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    if (isStuck(row.status, row.updated_at, clock)) stuck++;
  }
  return { total, by_status: byStatus, stuck };
}
