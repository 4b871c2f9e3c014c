import { fiscalYearRecords } from '../sites/demo-sites.js';
import type { SiteSetup } from '../sites/site.js';

/** Company A's site for conformance tests: everything Interco's first three documents need. */
export function companyASetup(name = 'company-a'): SiteSetup {
  return {
    name,
    users: [
      { email: 'interco@a.test', apiKey: 'key-a', apiSecret: 'secret-a' },
      {
        email: 'clerk@a.test',
        apiKey: 'key-clerk',
        apiSecret: 'secret-clerk',
        cannotSubmit: ['Delivery Note'],
        cannotCancel: ['Purchase Order'],
      },
    ],
    records: [
      { doctype: 'Company', company_name: 'Compania A', abbr: 'CA', default_currency: 'USD' },
      { doctype: 'Company', company_name: 'Otra SA', abbr: 'OS', default_currency: 'USD' },
      { doctype: 'Warehouse', warehouse_name: 'Stores', company: 'Compania A' },
      { doctype: 'Warehouse', warehouse_name: 'Returns', company: 'Compania A' },
      { doctype: 'Warehouse', warehouse_name: 'Stores', company: 'Otra SA' },
      { doctype: 'Item', item_code: 'PIN-001', item_name: 'PIN 10', has_serial_no: 1 },
      { doctype: 'Item', item_code: 'PIN-002', item_name: 'PIN 20', has_serial_no: 1 },
      { doctype: 'Item', item_code: 'CABLE', item_name: 'Cable', has_serial_no: 0 },
      { doctype: 'Supplier', supplier_name: 'Proveedor de Pines SA' },
      { doctype: 'Price List', price_list_name: 'Standard Selling', selling: 1 },
      { doctype: 'Price List', price_list_name: 'Standard Buying', buying: 1 },
      { doctype: 'Customer', customer_name: 'Compania B', default_price_list: 'Standard Selling' },
      { doctype: 'Customer', customer_name: 'Sin Lista' },
      ...fiscalYearRecords(),
    ],
  };
}
