import type { ListTransfersQuery } from './list-query.schema.js';
import { type FilterableDocument, type FilterContext, transferClauses } from './transfer-filter.js';

export type { FilterableDocument } from './transfer-filter.js';

/**
 * `buildTransferFilter` as a predicate over one document (the same clauses, transferClauses), for
 * the few documents read by `_id` (the transfers of a serial): FerretDB 1.x scans the collection
 * for any filter but a bare `_id` equality, so those documents are read one `_id` at a time and
 * filtered here. With `serial`, `context.transferIds` are the serial's transfers (none: nothing
 * matches), as for the filter.
 */
export function matchesTransferQuery(
  doc: FilterableDocument,
  query: ListTransfersQuery,
  context: FilterContext,
): boolean {
  return transferClauses(query, context).every((clause) => clause.test(doc));
}

/** The list's order (created_at desc, then _id desc): negative when `a` comes first. */
export function compareNewestFirst(
  a: Pick<FilterableDocument, '_id' | 'created_at'>,
  b: Pick<FilterableDocument, '_id' | 'created_at'>,
): number {
  const ca = a.created_at ?? '';
  const cb = b.created_at ?? '';
  if (ca !== cb) return ca < cb ? 1 : -1;
  if (a._id === b._id) return 0;
  return a._id < b._id ? 1 : -1;
}
