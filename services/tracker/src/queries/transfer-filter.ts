import type { Filter } from 'mongodb';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import type { TransferCursor } from './cursor.js';
import type { ListTransfersQuery } from './list-query.schema.js';
import { RUNNING_STATUSES, type StuckClock, stuckBefore } from './stuck.js';

export interface FilterContext extends StuckClock {
  /**
   * The transfers the `serial` filter found (the serials collection's entry for its digest);
   * none, or absent while a serial is asked for, matches nothing.
   */
  readonly transferIds?: readonly string[] | undefined;
  /** Where the previous page ended (its last item): the filter keeps what sorts after it. */
  readonly after?: TransferCursor | undefined;
}

/** Newest first: `created_at` then `_id`, both descending (ids are unique, so the order is total). */
export const TRANSFER_ORDER = { created_at: -1, _id: -1 } as const;

/** Stored times are `toISOString()` text: a client's RFC 3339 time is compared in that form. */
function storedTime(text: string): string {
  return new Date(text).toISOString();
}

/**
 * The MongoDB filter of `GET /v1/transfers`: every given filter ANDed, documents without a
 * state left out, and (for a next page) only what sorts after the cursor. Pure: the clock, the
 * serial lookup's answer and the cursor come in `context`. Only plain operators ($and, $or, $in,
 * $nin, $lt, $gte, $ne) so that FerretDB and MongoDB answer alike.
 */
export function buildTransferFilter(
  query: ListTransfersQuery,
  context: FilterContext,
): Filter<TransferDocument> {
  const clauses: Filter<TransferDocument>[] = [{ status: { $ne: null } }];
  if (query.status !== undefined) clauses.push({ status: query.status });
  if (query.step !== undefined) clauses.push({ current_step: query.step });
  if (query.created_from !== undefined)
    clauses.push({ created_at: { $gte: storedTime(query.created_from) } });
  if (query.created_to !== undefined) clauses.push({ created_at: { $lt: storedTime(query.created_to) } });
  if (query.instance !== undefined) {
    clauses.push({ $or: [{ instance_a: query.instance }, { instance_b: query.instance }] });
  }
  if (query.company !== undefined) {
    const company = query.company;
    clauses.push({
      $or: [
        { company_a: company },
        { company_b: company },
        { company_b_customer_in_a: company },
        { company_a_supplier_in_b: company },
      ],
    });
  }
  if (query.reference !== undefined) clauses.push({ reference: query.reference });
  if (query.serial !== undefined) clauses.push({ _id: { $in: [...(context.transferIds ?? [])] } });
  if (query.stuck !== undefined) {
    const before = stuckBefore(context);
    const running = [...RUNNING_STATUSES];
    clauses.push(
      query.stuck === 'true'
        ? { status: { $in: running }, updated_at: { $lt: before } }
        : { $or: [{ status: { $nin: running } }, { updated_at: { $gte: before } }] },
    );
  }
  if (context.after !== undefined) {
    const { created_at, id } = context.after;
    clauses.push({ $or: [{ created_at: { $lt: created_at } }, { created_at, _id: { $lt: id } }] });
  }
  return clauses.length === 1 ? (clauses[0] as Filter<TransferDocument>) : { $and: clauses };
}
