import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import type { TransferCursor } from './cursor.js';
import type { ListTransfersQuery } from './list-query.schema.js';
import { isStuck, type StuckClock } from './stuck.js';

/** The query fields of a stored transfer (what the filters look at). */
export type FilterableDocument = Pick<
  TransferDocument,
  | '_id'
  | 'status'
  | 'current_step'
  | 'created_at'
  | 'updated_at'
  | 'instance_a'
  | 'instance_b'
  | 'company_a'
  | 'company_b'
  | 'company_b_customer_in_a'
  | 'company_a_supplier_in_b'
  | 'reference'
>;

/**
 * `buildTransferFilter` as a predicate over one document, for the few documents read by `_id`
 * (the transfers of a serial): FerretDB 1.x scans the collection for any filter but a bare `_id`
 * equality, so those documents are read one `_id` at a time and filtered here. The serial itself
 * is not checked (the documents are the serial's transfers).
 */
export function matchesTransferQuery(
  doc: FilterableDocument,
  query: ListTransfersQuery,
  context: StuckClock & { readonly after?: TransferCursor | undefined },
): boolean {
  if (doc.status === null || doc.created_at === null) return false;
  if (query.status !== undefined && doc.status !== query.status) return false;
  if (query.step !== undefined && doc.current_step !== query.step) return false;
  const created = Date.parse(doc.created_at);
  if (query.created_from !== undefined && created < Date.parse(query.created_from)) return false;
  if (query.created_to !== undefined && created >= Date.parse(query.created_to)) return false;
  if (
    query.instance !== undefined &&
    doc.instance_a !== query.instance &&
    doc.instance_b !== query.instance
  ) {
    return false;
  }
  if (
    query.company !== undefined &&
    ![doc.company_a, doc.company_b, doc.company_b_customer_in_a, doc.company_a_supplier_in_b].includes(
      query.company,
    )
  ) {
    return false;
  }
  if (query.reference !== undefined && doc.reference !== query.reference) return false;
  if (
    query.stuck !== undefined &&
    isStuck(doc.status, doc.updated_at, context) !== (query.stuck === 'true')
  ) {
    return false;
  }
  const after = context.after;
  if (after !== undefined)
    return compareNewestFirst(doc, { _id: after.id, created_at: after.created_at }) > 0;
  return true;
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
