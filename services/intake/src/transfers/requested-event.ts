import type { DataOf, TransferRequest } from '@interco/contracts';

/** The whole count of serials in a request. */
export function serialCount(request: Pick<TransferRequest, 'items'>): number {
  return request.items.reduce((sum, item) => sum + item.serials.length, 0);
}

/**
 * The data of a transfer's `transfer.requested` event: what the steps and the tracker need to
 * know of the request (ids, names, counts) and where its manifest is; never a serial.
 */
export function requestedEventData(
  request: TransferRequest,
  manifest: { ref: string; digest: string },
): DataOf<'transfer.requested'> {
  return {
    manifest: { ref: manifest.ref, digest: manifest.digest },
    instances: { a: request.company_a_instance_id, b: request.company_b_instance_id },
    companies: {
      a: request.company_a_name,
      ...(request.company_b_name === undefined ? {} : { b: request.company_b_name }),
      b_customer_in_a: request.company_b_customer_name,
      a_supplier_in_b: request.company_a_supplier_name,
    },
    supplier: request.supplier,
    warehouses: { a: request.company_a_warehouse, b: request.company_b_warehouse },
    counts: { items: request.items.length, serials: serialCount(request) },
    ...(request.reference === undefined ? {} : { reference: request.reference }),
  };
}
