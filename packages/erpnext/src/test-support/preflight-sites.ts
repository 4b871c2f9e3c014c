/**
 * Simulated site pairs for the preflight's HTTP tests: the demo sites (as `pnpm sim --sites demo`
 * serves them) with known API users, a deliberately broken pair seeded with many problems at
 * once, the plan-like transfer between them, and helpers to install the marker field and to find
 * a port nobody listens on.
 */
import { createServer } from 'node:net';
import { type TransferRequest, validateTransferRequest } from '@interco/contracts';
import { demoSites, fiscalYearRecords, type SiteSetup } from '@interco/erpnext-sim';
import { ErpnextClient, type ErpnextClientOptions } from '../client/erpnext-client.js';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { MARKER_FIELDNAME, MARKER_LABEL } from '../markers/marker.js';
import type { SimSite } from './sim-site.js';

export const USER_A = {
  email: 'interco@compania-a.example',
  apiKey: 'pf-key-a',
  apiSecret: 'pf-secret-a-93d1',
};
export const USER_B = {
  email: 'interco@compania-b.example',
  apiKey: 'pf-key-b',
  apiSecret: 'pf-secret-b-2c7e',
};

/** The demo sites `company-a` and `company-b`, each with a known API user. */
export function demoPair(): { a: SiteSetup; b: SiteSetup } {
  const [a, b] = demoSites();
  if (a === undefined || b === undefined) throw new Error('demoSites() gave fewer than two sites');
  return { a: { ...a, users: [USER_A] }, b: { ...b, users: [USER_B] } };
}

/** A PIN-like serial: 16 digits. */
export function pin(item: number, i: number): string {
  return `49${String(item).padStart(2, '0')}${String(i).padStart(12, '0')}`;
}

/** The transfer of the plan between the demo sites: PIN-001 and PIN-002, `perItem` serials each. */
export function planTransfer(perItem = 3, more: Record<string, unknown> = {}): TransferRequest {
  const validated = validateTransferRequest({
    company_a_instance_id: 'company-a',
    company_b_instance_id: 'company-b',
    supplier: 'Proveedor de Pines SA',
    company_a_name: 'Compania A',
    company_b_customer_name: 'Compania B',
    company_a_supplier_name: 'Compania A',
    company_a_warehouse: 'Stores - CA',
    company_b_warehouse: 'Stores - CB',
    items: [1, 2].map((n) => ({
      item_code: `PIN-00${n}`,
      qty: perItem,
      rate: '10.50',
      transfer_rate: '12.25',
      serials: Array.from({ length: perItem }, (_, i) => pin(n, i)),
    })),
    ...more,
  });
  if (!validated.ok)
    throw new Error(`invalid test transfer: ${JSON.stringify(validated.problems.slice(0, 3))}`);
  return validated.value;
}

/**
 * Company A's site, broken for the plan's transfer (with `company_a_name: "Compania Fantasma"`
 * and `company_a_warehouse: "Stores - OS"`):
 * - no company "Compania Fantasma"; "Stores - OS" belongs to "Otra SA";
 * - PIN-002 has no serial numbers;
 * - no supplier "Proveedor de Pines SA" (another supplier sold A the serial already in stock);
 * - the customer "Compania B" has no default price list, and Selling Settings name none;
 * - Selling Settings so_required = Yes; Stock Settings frozen up to the end of next year;
 * - `inStock` (a serial of the transfer) already received into "Stores - CA";
 * - the API user may not submit Delivery Notes.
 * The marker field is the test's to install (or not).
 */
export function brokenSiteA(inStock: string): SiteSetup {
  const nextYear = new Date().getUTCFullYear() + 1;
  return {
    name: 'company-a',
    users: [{ ...USER_A, cannotSubmit: ['Delivery Note'] }],
    records: [
      ...fiscalYearRecords(),
      { doctype: 'Company', company_name: 'Compania A', abbr: 'CA', default_currency: 'USD' },
      { doctype: 'Company', company_name: 'Otra SA', abbr: 'OS', default_currency: 'USD' },
      { doctype: 'Warehouse', warehouse_name: 'Stores', company: 'Compania A' },
      { doctype: 'Warehouse', warehouse_name: 'Stores', company: 'Otra SA' },
      { doctype: 'Item', item_code: 'PIN-001', item_name: 'PIN 10', has_serial_no: 1 },
      { doctype: 'Item', item_code: 'PIN-002', item_name: 'PIN 20', has_serial_no: 0 },
      { doctype: 'Supplier', supplier_name: 'Otro Proveedor' },
      { doctype: 'Price List', price_list_name: 'Standard Selling', selling: 1 },
      { doctype: 'Customer', customer_name: 'Compania B' },
      {
        doctype: 'Purchase Receipt',
        supplier: 'Otro Proveedor',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: [{ item_code: 'PIN-001', qty: 1, rate: 1, serial_no: inStock }],
        docstatus: 1,
      },
    ],
    settings: {
      'Selling Settings': { so_required: 'Yes' },
      'Stock Settings': { stock_frozen_upto: `${nextYear}-12-31` },
    },
  };
}

/**
 * Company B's site, broken for the plan's transfer: no supplier "Compania A", Buying Settings
 * po_required = Yes, no Fiscal Year at all, no warehouse "Stores - CB" (only "Almacen - CB"),
 * serial numbers disabled in Stock Settings (v16), and an API user who may not cancel Purchase
 * Receipts. No marker field.
 */
export function brokenSiteB(): SiteSetup {
  return {
    name: 'company-b',
    users: [{ ...USER_B, cannotCancel: ['Purchase Receipt'] }],
    records: [
      { doctype: 'Company', company_name: 'Compania B', abbr: 'CB', default_currency: 'USD' },
      { doctype: 'Warehouse', warehouse_name: 'Almacen', company: 'Compania B' },
      { doctype: 'Item', item_code: 'PIN-001', item_name: 'PIN 10', has_serial_no: 1 },
      { doctype: 'Item', item_code: 'PIN-002', item_name: 'PIN 20', has_serial_no: 1 },
    ],
    settings: {
      'Buying Settings': { po_required: 'Yes' },
      'Stock Settings': { enable_serial_and_batch_no_for_item: 0 },
    },
  };
}

/** An ErpnextClient for a simulated site, as `user`, without read retries unless asked. */
export function clientFor(
  site: SimSite,
  id: string,
  user: { apiKey: string; apiSecret: string },
  overrides: Partial<InstanceConfig> = {},
  options: ErpnextClientOptions = {},
): ErpnextClient {
  return new ErpnextClient(
    { ...site.config({ id, name: id, api_key: user.apiKey, api_secret: user.apiSecret }), ...overrides },
    { retry: { maxAttempts: 1 }, ...options },
  );
}

/** Installs the marker Custom Field on these doctypes (unique unless told otherwise). */
export async function installMarkerField(
  client: ErpnextClient,
  doctypes: readonly string[],
  options: { unique?: boolean } = {},
): Promise<void> {
  for (const dt of doctypes) {
    await client.insert('Custom Field', {
      dt,
      label: MARKER_LABEL,
      fieldname: MARKER_FIELDNAME,
      fieldtype: 'Data',
      unique: options.unique === false ? 0 : 1,
      read_only: 1,
      no_copy: 1,
    });
  }
}

/** An http:// URL on 127.0.0.1 where nothing listens (a port just released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}
