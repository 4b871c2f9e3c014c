/** Request bodies for the four documents, as Interco sends them, with overridable fields. */

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function serials(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
}

export function purchaseOrder(
  more: Record<string, unknown> = {},
  item: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    supplier: 'Proveedor de Pines SA',
    company: 'Compania A',
    schedule_date: today(),
    set_warehouse: 'Stores - CA',
    items: [{ item_code: 'PIN-001', qty: 2, rate: '10.50', ...item }],
    ...more,
  };
}

/** A receipt of `serialList` against a submitted order's first row. */
export function purchaseReceipt(
  order: { name: string; items?: unknown },
  serialList: string[],
  more: Record<string, unknown> = {},
): Record<string, unknown> {
  const rows = (order.items as Array<{ name: string; item_code: string }> | undefined) ?? [];
  const line = rows[0];
  return {
    supplier: 'Proveedor de Pines SA',
    company: 'Compania A',
    set_warehouse: 'Stores - CA',
    items: [
      {
        item_code: line?.item_code ?? 'PIN-001',
        qty: serialList.length,
        rate: '10.50',
        serial_no: serialList.join('\n'),
        purchase_order: order.name,
        purchase_order_item: line?.name,
      },
    ],
    ...more,
  };
}

export function deliveryNote(
  serialList: string[],
  more: Record<string, unknown> = {},
  item: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    customer: 'Compania B',
    company: 'Compania A',
    set_warehouse: 'Stores - CA',
    items: [
      {
        item_code: 'PIN-001',
        qty: serialList.length,
        rate: '12.00',
        serial_no: serialList.join('\n'),
        ...item,
      },
    ],
    ...more,
  };
}
