import type { TransferRequest } from '@interco/contracts';
import type { ErpnextClient } from '../client/erpnext-client.js';
import { MARKER_FIELDNAME } from '../markers/marker.js';
import { checkInstanceA } from './instance-a.js';
import { checkInstanceB } from './instance-b.js';
import type { PreflightContext, PreflightOptions, PreflightReport } from './report.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Everything a transfer needs, checked in both instances before it starts: master data, the
 * settings that block the flow, the marker field, the API users' rights and the serials already
 * there. Both instances are checked side by side, and every problem found is returned (none
 * stops the others): an instance that cannot be reached, or refuses the credentials, is one
 * problem and the other instance is checked all the same.
 *
 * Reads are batched: one list call per doctype and instance (Serial Nos in batches of 1,000
 * names), one read per settings doctype, one `frappe.client.has_permission` per doctype and
 * right, and one `frappe.auth.get_logged_user` first. Nothing is written.
 *
 * Throws only on bad options (a `today` not written YYYY-MM-DD, an empty `markerField`).
 */
export async function preflight(
  clients: { a: ErpnextClient; b: ErpnextClient },
  manifest: TransferRequest,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const context = resolveContext(options);
  const [a, b] = await Promise.all([
    checkInstanceA(clients.a, manifest, context),
    checkInstanceB(clients.b, manifest, context),
  ]);
  const problems = [...a.problems, ...b.problems];
  return {
    ok: problems.length === 0,
    problems,
    resolved: { company_b: b.companyB, selling_price_list: a.sellingPriceList },
  };
}

function resolveContext(options: PreflightOptions): PreflightContext {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  if (!ISO_DATE.test(today)) throw new RangeError('preflight: today must be a date written YYYY-MM-DD');
  const markerField = options.markerField ?? MARKER_FIELDNAME;
  if (markerField.trim() === '') throw new RangeError('preflight: markerField must not be empty');
  return { today, markerField };
}
