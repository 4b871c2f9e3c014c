/**
 * pr-b: the Purchase Receipt(s) in company B, one per chunk, from the supplier that represents
 * company A, into B's warehouse, with the chunk's serials; `supplier_delivery_note` names A's
 * Delivery Note of the same chunk (found in A by dn-a's marker).
 */
import { type ForwardContext, type StepDefinition, StepFailure } from '@interco/bus';
import { buildPurchaseReceiptB, type DocumentChunk, findByMarker, marker } from '@interco/erpnext';

/** Company B of a run, resolved once per run (every chunk of it needs the same). */
const companies = new WeakMap<ForwardContext, Promise<string>>();

export const prB: StepDefinition = {
  step: 'pr_b',
  service: 'pr-b',
  instance: 'b',
  doctype: 'Purchase Receipt',

  async build(ctx, chunk) {
    const dnName = await deliveryNoteOfChunk(ctx, chunk);
    return buildPurchaseReceiptB(ctx.manifest, ctx.transferId, chunk, dnName, await companyB(ctx));
  },
};

/** The name of the chunk's submitted Delivery Note in A; StepFailure when there is none. */
export async function deliveryNoteOfChunk(ctx: ForwardContext, chunk: DocumentChunk): Promise<string> {
  const dnMarker = marker(ctx.transferId, 'dn_a', chunk.index);
  const submitted = (await findByMarker(ctx.clients.a, 'Delivery Note', dnMarker)).filter(
    (doc) => doc.docstatus === 1,
  );
  const [dn] = submitted;
  if (dn === undefined || submitted.length > 1) {
    throw new StepFailure(
      [
        dn === undefined
          ? `No submitted Delivery Note in instance A (${ctx.record.instances.a}) carries the Interco marker ${dnMarker}, so the receipt of chunk ${chunk.index} in B has nothing to receive.`
          : `${submitted.length} submitted Delivery Notes in instance A (${ctx.record.instances.a}) carry the Interco marker ${dnMarker}: ${submitted.map((doc) => doc.name).join(', ')}.`,
        'Retry the transfer from dn_a once A has exactly one, or cancel the transfer.',
      ],
      { retryable: true, chunk: chunk.index },
    );
  }
  return dn.name;
}

/**
 * Company B as B names it: `company_b_name` when the request gives it, else the company that owns
 * B's warehouse (GET Warehouse in B).
 */
export function companyB(ctx: ForwardContext): Promise<string> {
  let company = companies.get(ctx);
  if (company === undefined) {
    company = resolveCompanyB(ctx);
    companies.set(ctx, company);
  }
  return company;
}

async function resolveCompanyB(ctx: ForwardContext): Promise<string> {
  const given = ctx.manifest.company_b_name;
  if (given !== undefined) return given;
  const warehouse = await ctx.client.get('Warehouse', ctx.manifest.company_b_warehouse);
  if (typeof warehouse.company !== 'string' || warehouse.company === '') {
    throw new StepFailure(
      [
        `Warehouse ${ctx.manifest.company_b_warehouse} in instance B (${ctx.record.instances.b}) names no company, and the transfer does not give company_b_name.`,
      ],
      { retryable: true },
    );
  }
  return warehouse.company;
}
