import { randomBytes } from 'node:crypto';
import type { ApiUser } from '../frappe/context.js';
import type { SiteSetup } from './site.js';

/**
 * The `demo` sites: two ERPNext sites set up the way Interco needs them, so its four documents
 * (PO, PR and DN in company A, PR in company B) go through:
 *
 * - `company-a`: Company "Compania A" (CA, USD), its warehouses ("Stores - CA"...), serialized
 *   items PIN-001, PIN-002, SIM-001, the external supplier "Proveedor de Pines SA", the customer
 *   "Compania B" (company B as A's customer, price list "Standard Selling"), price lists, and
 *   fiscal years for this year and the next.
 * - `company-b`: Company "Compania B" (CB, USD), its warehouses ("Stores - CB"...), the same
 *   items, the supplier "Compania A" (company A as B's supplier), price lists, fiscal years.
 *
 * Settings are what ERPNext's setup wizard leaves (erpnext/setup/setup_wizard/operations/
 * install_fixtures.py update_buying_defaults / update_selling_defaults): no PO or SO required,
 * the same item allowed on several rows, "Standard Selling" as the default selling price list.
 */

export const DEMO_COMPANY_A = 'Compania A';
export const DEMO_COMPANY_B = 'Compania B';
export const DEMO_SUPPLIER = 'Proveedor de Pines SA';
export const DEMO_ITEMS = ['PIN-001', 'PIN-002', 'SIM-001'] as const;

/**
 * What a transfer between the demo sites names besides its items, registered as the instances
 * `company-a` and `company-b` (the ids the tests and `pnpm dev` give them).
 */
export const DEMO_TRANSFER_PARTIES = {
  company_a_instance_id: 'company-a',
  company_b_instance_id: 'company-b',
  supplier: DEMO_SUPPLIER,
  company_a_name: DEMO_COMPANY_A,
  company_b_customer_name: DEMO_COMPANY_B,
  company_a_supplier_name: DEMO_COMPANY_A,
  company_a_warehouse: 'Stores - CA',
  company_b_warehouse: 'Stores - CB',
} as const;

export interface DemoSitesOptions {
  /** "Today", for the fiscal years (this year and the next). Default: now. */
  now?: Date;
}

type Row = Record<string, unknown> & { doctype: string };

/** The two demo sites, each with one API user with a new random key and secret. */
export function demoSites(options: DemoSitesOptions = {}): SiteSetup[] {
  const now = options.now ?? new Date();
  return [
    {
      name: 'company-a',
      users: [randomApiUser('interco@compania-a.example')],
      records: [
        ...companyRecords(DEMO_COMPANY_A, 'CA', now),
        {
          doctype: 'Supplier',
          supplier_name: DEMO_SUPPLIER,
          supplier_group: 'Distributor',
          default_currency: 'USD',
        },
        {
          doctype: 'Customer',
          customer_name: DEMO_COMPANY_B,
          customer_group: 'Commercial',
          default_price_list: 'Standard Selling',
          default_currency: 'USD',
        },
      ],
      settings: SETTINGS,
    },
    {
      name: 'company-b',
      users: [randomApiUser('interco@compania-b.example')],
      records: [
        ...companyRecords(DEMO_COMPANY_B, 'CB', now),
        {
          doctype: 'Supplier',
          supplier_name: DEMO_COMPANY_A,
          supplier_group: 'Distributor',
          default_currency: 'USD',
        },
      ],
      settings: SETTINGS,
    },
  ];
}

/**
 * An API user with a new key and secret: 15 random hex characters each, the length of Frappe's
 * generate_keys (frappe.generate_hash(length=15)).
 */
export function randomApiUser(email: string): ApiUser {
  return { email, apiKey: randomHex(15), apiSecret: randomHex(15) };
}

function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

const SETTINGS: Record<string, Record<string, unknown>> = {
  'Buying Settings': { po_required: 'No', pr_required: 'No', allow_multiple_items: 1 },
  'Selling Settings': {
    so_required: 'No',
    dn_required: 'No',
    selling_price_list: 'Standard Selling',
    allow_multiple_items: 1,
  },
  'Stock Settings': { allow_negative_stock: 0, over_delivery_receipt_allowance: 0 },
};

/** What a company set up by the wizard has: itself, its warehouses, price lists, fiscal years, items. */
function companyRecords(company: string, abbr: string, now: Date): Row[] {
  const allWarehouses = `All Warehouses - ${abbr}`;
  return [
    ...fiscalYearRecords(now),
    { doctype: 'Company', company_name: company, abbr, default_currency: 'USD', country: 'United States' },
    // erpnext/setup/doctype/company/company.py create_default_warehouses
    { doctype: 'Warehouse', warehouse_name: 'All Warehouses', company, is_group: 1 },
    ...['Stores', 'Work In Progress', 'Finished Goods', 'Goods In Transit'].map((warehouse_name) => ({
      doctype: 'Warehouse',
      warehouse_name,
      company,
      parent_warehouse: allWarehouses,
    })),
    {
      doctype: 'Price List',
      price_list_name: 'Standard Buying',
      currency: 'USD',
      buying: 1,
      selling: 0,
      enabled: 1,
    },
    {
      doctype: 'Price List',
      price_list_name: 'Standard Selling',
      currency: 'USD',
      buying: 0,
      selling: 1,
      enabled: 1,
    },
    ...DEMO_ITEMS.map((item_code) => ({
      doctype: 'Item',
      item_code,
      item_name: item_code.startsWith('SIM') ? `SIM card ${item_code.slice(4)}` : `PIN ${item_code.slice(4)}`,
      item_group: 'Products',
      stock_uom: 'Nos',
      is_stock_item: 1,
      has_serial_no: 1,
    })),
  ];
}

/**
 * This calendar year and the next as Fiscal Year records, named by the year ("2026":
 * 2026-01-01..2026-12-31), so documents dated today fall in one. For demo and test sites.
 */
export function fiscalYearRecords(now: Date = new Date()): Row[] {
  const year = now.getUTCFullYear();
  return [year, year + 1].map((y) => ({
    doctype: 'Fiscal Year',
    year: String(y),
    year_start_date: `${y}-01-01`,
    year_end_date: `${y}-12-31`,
  }));
}
