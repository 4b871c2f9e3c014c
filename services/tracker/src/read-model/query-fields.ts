import type { TransferState } from '@interco/contracts';
import type { TransferDocument } from './transfer-document.schema.js';

/** The top-level fields of a transfer document that are copies of its state, for plain indexes. */
export type QueryFields = Pick<
  TransferDocument,
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
  | 'actor'
>;

/**
 * A time as the query fields store it: `toISOString()` text (UTC, milliseconds), so times written
 * with offsets or other precisions sort and compare right as strings. Text that is not a time is
 * kept as it is (events are validated before they get here).
 */
export function storedInstant(time: string | null | undefined): string | null {
  if (time === null || time === undefined) return null;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? time : date.toISOString();
}

/**
 * The query fields of a state; every one null while there is no state. `created_at` and
 * `updated_at` are normalized (storedInstant); the state keeps the events' own text.
 */
export function queryFields(state: TransferState | null): QueryFields {
  const requested = state?.requested;
  return {
    status: state?.status ?? null,
    current_step: state?.current_step ?? null,
    created_at: storedInstant(state?.created_at),
    updated_at: storedInstant(state?.updated_at),
    instance_a: requested?.instances.a ?? null,
    instance_b: requested?.instances.b ?? null,
    company_a: requested?.companies.a ?? null,
    company_b: requested?.companies.b ?? null,
    company_b_customer_in_a: requested?.companies.b_customer_in_a ?? null,
    company_a_supplier_in_b: requested?.companies.a_supplier_in_b ?? null,
    reference: requested?.reference ?? null,
    actor: state?.actor ?? null,
  };
}
