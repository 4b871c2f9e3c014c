import type { Filter } from 'mongodb';
import type { QueryFields } from '../read-model/query-fields.js';
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

/** The query fields of a stored transfer (what the filters look at). */
export type FilterableDocument = Pick<TransferDocument, '_id'> & Omit<QueryFields, 'actor'>;

/**
 * One condition of a list query, said twice alike: as a MongoDB filter, and as a test of one
 * document (for the documents read by `_id`). Times are compared as MongoDB compares them: as
 * the stored `toISOString()` text; a field that is null or missing passes no comparison.
 */
export interface TransferClause {
  readonly filter: Filter<TransferDocument>;
  readonly test: (doc: FilterableDocument) => boolean;
}

/** Newest first: `created_at` then `_id`, both descending (ids are unique, so the order is total). */
export const TRANSFER_ORDER = { created_at: -1, _id: -1 } as const;

/** Stored times are `toISOString()` text: a client's RFC 3339 time is compared in that form. */
function storedTime(text: string): string {
  return new Date(text).toISOString();
}

/** `$lt` as MongoDB answers it on a text field: false for null or missing. */
function below(value: string | null | undefined, bound: string): boolean {
  return typeof value === 'string' && value < bound;
}

/** `$gte` as MongoDB answers it on a text field: false for null or missing. */
function atOrAbove(value: string | null | undefined, bound: string): boolean {
  return typeof value === 'string' && value >= bound;
}

/** Equality to a string as MongoDB answers it. */
function equal(field: keyof FilterableDocument, value: string): TransferClause {
  return { filter: { [field]: value }, test: (doc) => doc[field] === value };
}

/** Any of these fields equal to a string. */
function anyEqual(fields: readonly (keyof FilterableDocument)[], value: string): TransferClause {
  return {
    filter: { $or: fields.map((field) => ({ [field]: value })) },
    test: (doc) => fields.some((field) => doc[field] === value),
  };
}

/**
 * The conditions of `GET /v1/transfers`, one table for both buildTransferFilter and
 * matchesTransferQuery: documents without a state left out, every given filter, and (for a next
 * page) only what sorts after the cursor. Pure: the clock, the serial lookup's answer and the
 * cursor come in `context`.
 */
export function transferClauses(query: ListTransfersQuery, context: FilterContext): TransferClause[] {
  const clauses: TransferClause[] = [
    { filter: { status: { $ne: null } }, test: (doc) => doc.status !== null && doc.status !== undefined },
  ];
  if (query.status !== undefined) clauses.push(equal('status', query.status));
  if (query.step !== undefined) clauses.push(equal('current_step', query.step));
  if (query.created_from !== undefined) {
    const from = storedTime(query.created_from);
    clauses.push({ filter: { created_at: { $gte: from } }, test: (doc) => atOrAbove(doc.created_at, from) });
  }
  if (query.created_to !== undefined) {
    const to = storedTime(query.created_to);
    clauses.push({ filter: { created_at: { $lt: to } }, test: (doc) => below(doc.created_at, to) });
  }
  if (query.instance !== undefined) clauses.push(anyEqual(['instance_a', 'instance_b'], query.instance));
  if (query.company !== undefined) {
    clauses.push(
      anyEqual(
        ['company_a', 'company_b', 'company_b_customer_in_a', 'company_a_supplier_in_b'],
        query.company,
      ),
    );
  }
  if (query.reference !== undefined) clauses.push(equal('reference', query.reference));
  if (query.serial !== undefined) {
    const ids = [...(context.transferIds ?? [])];
    clauses.push({ filter: { _id: { $in: ids } }, test: (doc) => ids.includes(doc._id) });
  }
  if (query.stuck !== undefined) {
    const before = stuckBefore(context);
    const running = [...RUNNING_STATUSES];
    const isRunning = (doc: FilterableDocument) => (running as (string | null)[]).includes(doc.status);
    clauses.push(
      query.stuck === 'true'
        ? {
            filter: { status: { $in: running }, updated_at: { $lt: before } },
            test: (doc) => isRunning(doc) && below(doc.updated_at, before),
          }
        : {
            filter: { $or: [{ status: { $nin: running } }, { updated_at: { $gte: before } }] },
            test: (doc) => !isRunning(doc) || atOrAbove(doc.updated_at, before),
          },
    );
  }
  if (context.after !== undefined) {
    const { created_at, id } = context.after;
    clauses.push({
      filter: { $or: [{ created_at: { $lt: created_at } }, { created_at, _id: { $lt: id } }] },
      test: (doc) => below(doc.created_at, created_at) || (doc.created_at === created_at && doc._id < id),
    });
  }
  return clauses;
}

/**
 * The MongoDB filter of `GET /v1/transfers` (transferClauses ANDed). Only plain operators ($and,
 * $or, $in, $nin, $lt, $gte, $ne) so that FerretDB and MongoDB answer alike.
 */
export function buildTransferFilter(
  query: ListTransfersQuery,
  context: FilterContext,
): Filter<TransferDocument> {
  const clauses = transferClauses(query, context).map((clause) => clause.filter);
  return clauses.length === 1 ? (clauses[0] as Filter<TransferDocument>) : { $and: clauses };
}
