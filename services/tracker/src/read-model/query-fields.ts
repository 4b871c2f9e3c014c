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

/** The query fields of a state; every one null while there is no state. */
export function queryFields(state: TransferState | null): QueryFields {
  const requested = state?.requested;
  return {
    status: state?.status ?? null,
    current_step: state?.current_step ?? null,
    created_at: state?.created_at ?? null,
    updated_at: state?.updated_at ?? null,
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
