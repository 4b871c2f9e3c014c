import type { TransferRequest } from '@interco/contracts';
import type { ErpnextClient } from '../client/erpnext-client.js';
import {
  checkCompany,
  checkFiscalYear,
  checkItems,
  checkMarkerFields,
  checkParty,
  checkPermissions,
  checkPurchaseOrderRequired,
  checkStockSettings,
  checkWarehouse,
  flag,
  ProblemList,
  text,
} from './checks.js';
import { reach, reportReadFailures } from './reach.js';
import type { PreflightContext, PreflightProblem } from './report.js';
import { allSerials, checkSerials, serialPositions } from './serials.js';
import { SERIAL_FIELDS, SiteReader } from './site-reader.js';

export interface InstanceBResult {
  problems: PreflightProblem[];
  /** `company_b_name` as B spells it, or the company owning `company_b_warehouse`. */
  companyB: string | undefined;
}

/** B makes one document: the Purchase Receipt from the supplier representing A. */
export const DOCTYPES_B = ['Purchase Receipt'] as const;

/**
 * Company B's instance: company B (given, or resolved as the owner of B's warehouse), the
 * warehouse, the items, the supplier representing A, a Fiscal Year for today, the marker field on
 * Purchase Receipt, Buying and Stock Settings, the API user's submit and cancel rights on Purchase
 * Receipt, and the transfer's serials already there. The reads go side by side.
 */
export async function checkInstanceB(
  client: ErpnextClient,
  manifest: TransferRequest,
  context: PreflightContext,
): Promise<InstanceBResult> {
  const list = new ProblemList('b', client.instanceId);
  const user = await reach(client, list);
  if (user === undefined) return { problems: list.problems, companyB: undefined };

  const reader = new SiteReader(client);
  const given = manifest.company_b_name;
  const [
    companies,
    warehouses,
    items,
    suppliers,
    fiscalYears,
    customFields,
    buying,
    stock,
    permissions,
    serials,
  ] = await Promise.all([
    // no call when the request leaves company B out: the warehouse's company is company B
    reader.byName('Company', given === undefined ? [] : [given], ['name']),
    reader.byName('Warehouse', [manifest.company_b_warehouse], ['company', 'is_group', 'disabled']),
    reader.byName(
      'Item',
      manifest.items.map((item) => item.item_code),
      ['disabled', 'is_stock_item', 'has_serial_no'],
    ),
    reader.byName('Supplier', [manifest.company_a_supplier_name], ['disabled']),
    reader.fiscalYearsCovering(context.today),
    reader.customFields(DOCTYPES_B, context.markerField),
    reader.single('Buying Settings'),
    reader.single('Stock Settings'),
    reader.permissions(DOCTYPES_B),
    reader.serials(allSerials(manifest), SERIAL_FIELDS),
  ]);

  let companyB: string | undefined;
  if (given !== undefined) {
    const company = checkCompany(list, companies, given, 'company_b_name');
    companyB = company === undefined ? undefined : (text(company, 'name') ?? given);
    checkWarehouse(list, warehouses, manifest.company_b_warehouse, 'company_b_warehouse', given);
  } else {
    const warehouse = checkWarehouse(
      list,
      warehouses,
      manifest.company_b_warehouse,
      'company_b_warehouse',
      undefined,
    );
    companyB = text(warehouse, 'company');
  }
  checkItems(list, items, manifest);
  checkParty(list, 'Supplier', suppliers, manifest.company_a_supplier_name, 'company_a_supplier_name');
  checkFiscalYear(list, fiscalYears, context.today);
  checkMarkerFields(list, customFields, DOCTYPES_B, context.markerField);
  checkPurchaseOrderRequired(list, buying);
  checkStockSettings(list, stock, context.today);
  checkPermissions(list, permissions, user);
  checkSerials(list, manifest, serialPositions(manifest), serials, flag(stock, 'allow_existing_serial_no'));
  reportReadFailures(list, reader);
  return { problems: list.problems, companyB };
}
