import type { TransferRequest } from '@interco/contracts';
import type { ErpnextClient } from '../client/erpnext-client.js';
import {
  checkCompany,
  checkFiscalYear,
  checkItems,
  checkMarkerFields,
  checkParty,
  checkPermissions,
  checkPriceList,
  checkSalesOrderRequired,
  checkStockSettings,
  checkWarehouse,
  choosePriceList,
  find,
  flag,
  ProblemList,
} from './checks.js';
import { reach, reportReadFailures } from './reach.js';
import type { PreflightContext, PreflightProblem } from './report.js';
import { allSerials, checkSerials, serialPositions } from './serials.js';
import { SERIAL_FIELDS, SiteReader } from './site-reader.js';

export interface InstanceAResult {
  problems: PreflightProblem[];
  sellingPriceList: string | undefined;
}

/** A makes the Purchase Order, its Purchase Receipt and the Delivery Note to B's customer. */
export const DOCTYPES_A = ['Purchase Order', 'Purchase Receipt', 'Delivery Note'] as const;

/**
 * Company A's instance: its company and warehouse, the items, the external supplier, the
 * customer representing B and its selling price list, a Fiscal Year for today, the marker field
 * on its three doctypes, Selling and Stock Settings, the API user's submit and cancel rights, and
 * the transfer's serials already there. The reads go side by side (the price list as soon as the
 * customer and Selling Settings are in).
 */
export async function checkInstanceA(
  client: ErpnextClient,
  manifest: TransferRequest,
  context: PreflightContext,
): Promise<InstanceAResult> {
  const list = new ProblemList('a', client.instanceId);
  const user = await reach(client, list);
  if (user === undefined) return { problems: list.problems, sellingPriceList: undefined };

  const reader = new SiteReader(client);
  const customerName = manifest.company_b_customer_name;
  const customersRead = reader.byName('Customer', [customerName], ['disabled', 'default_price_list']);
  const sellingRead = reader.single('Selling Settings');
  const choiceRead = Promise.all([customersRead, sellingRead]).then(([customers, selling]) =>
    choosePriceList(
      customers === undefined ? undefined : find(customers, customerName),
      customers !== undefined,
      selling,
    ),
  );
  const [
    companies,
    warehouses,
    items,
    suppliers,
    customers,
    selling,
    choice,
    priceLists,
    fiscalYears,
    customFields,
    stock,
    permissions,
    serials,
  ] = await Promise.all([
    reader.byName('Company', [manifest.company_a_name], ['name']),
    reader.byName('Warehouse', [manifest.company_a_warehouse], ['company', 'is_group', 'disabled']),
    reader.byName(
      'Item',
      manifest.items.map((item) => item.item_code),
      ['disabled', 'is_stock_item', 'has_serial_no'],
    ),
    reader.byName('Supplier', [manifest.supplier], ['disabled']),
    customersRead,
    sellingRead,
    choiceRead,
    // no call when no price list resolves
    choiceRead.then((picked) =>
      reader.byName('Price List', picked === undefined ? [] : [picked.name], ['enabled', 'selling']),
    ),
    reader.fiscalYearsCovering(context.today),
    reader.customFields(DOCTYPES_A, context.markerField),
    reader.single('Stock Settings'),
    reader.permissions(DOCTYPES_A),
    reader.serials(allSerials(manifest), SERIAL_FIELDS),
  ]);

  checkCompany(list, companies, manifest.company_a_name, 'company_a_name');
  checkWarehouse(
    list,
    warehouses,
    manifest.company_a_warehouse,
    'company_a_warehouse',
    manifest.company_a_name,
  );
  checkItems(list, items, manifest);
  checkParty(list, 'Supplier', suppliers, manifest.supplier, 'supplier');
  checkParty(list, 'Customer', customers, customerName, 'company_b_customer_name');
  const sellingPriceList = checkPriceList(
    list,
    customerName,
    choice,
    customers !== undefined && selling !== undefined,
    priceLists,
    'company_b_customer_name',
  );
  checkFiscalYear(list, fiscalYears, context.today);
  checkMarkerFields(list, customFields, DOCTYPES_A, context.markerField);
  checkSalesOrderRequired(list, selling);
  checkStockSettings(list, stock, context.today);
  checkPermissions(list, permissions, user);
  checkSerials(list, manifest, serialPositions(manifest), serials, flag(stock, 'allow_existing_serial_no'));
  reportReadFailures(list, reader);
  return { problems: list.problems, sellingPriceList };
}
