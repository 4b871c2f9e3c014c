/**
 * pr-a: the Purchase Receipt(s) in company A, one per chunk, each received against the chunk's own
 * submitted Purchase Order (found by its marker), with the chunk's serials.
 */
import { type ForwardContext, type StepDefinition, StepFailure } from '@interco/bus';
import {
  buildPurchaseReceiptA,
  type DocumentChunk,
  type ErpnextDoc,
  findByMarker,
  marker,
  type SubmittedPurchaseOrder,
} from '@interco/erpnext';

export const prA: StepDefinition = {
  step: 'pr_a',
  service: 'pr-a',
  instance: 'a',
  doctype: 'Purchase Receipt',

  async build(ctx, chunk) {
    const po = await orderOfChunk(ctx, chunk);
    return buildPurchaseReceiptA(ctx.manifest, ctx.transferId, chunk, po);
  },
};

/** The chunk's submitted Purchase Order in A, found by po-a's marker; StepFailure when there is none. */
export async function orderOfChunk(
  ctx: ForwardContext,
  chunk: DocumentChunk,
): Promise<SubmittedPurchaseOrder> {
  const poMarker = marker(ctx.transferId, 'po_a', chunk.index);
  const found = await findByMarker(ctx.client, 'Purchase Order', poMarker);
  const submitted = found.filter((doc) => doc.docstatus === 1);
  const [po] = submitted;
  if (po === undefined) {
    const drafts = found.map((doc) => doc.name);
    throw new StepFailure(
      [
        `No submitted Purchase Order in instance A (${ctx.record.instances.a}) carries the Interco marker ${poMarker}${drafts.length > 0 ? ` (only the draft ${drafts.join(', ')})` : ''}, so the receipt of chunk ${chunk.index} has no order to receive against.`,
        'Was it cancelled or deleted in ERPNext? Retry the transfer from po_a once the order is back, or cancel the transfer.',
      ],
      { retryable: true, chunk: chunk.index },
    );
  }
  if (submitted.length > 1) {
    throw new StepFailure(
      [
        `${submitted.length} submitted Purchase Orders in instance A (${ctx.record.instances.a}) carry the Interco marker ${poMarker}: ${submitted.map((doc) => doc.name).join(', ')}. Keep one, cancel the others, then retry.`,
      ],
      { retryable: true, chunk: chunk.index },
    );
  }
  return asSubmittedOrder(po, chunk);
}

/** The fields of the order the receipt builder reads, checked. */
function asSubmittedOrder(doc: ErpnextDoc, chunk: DocumentChunk): SubmittedPurchaseOrder {
  const rows: unknown = doc.items;
  const items: SubmittedPurchaseOrder['items'] = [];
  if (Array.isArray(rows)) {
    for (const row of rows as unknown[]) {
      if (typeof row !== 'object' || row === null) continue;
      const { name, item_code, qty, idx } = row as Record<string, unknown>;
      if (typeof name !== 'string' || typeof item_code !== 'string') continue;
      items.push({
        name,
        item_code,
        ...(typeof qty === 'number' ? { qty } : {}),
        ...(typeof idx === 'number' ? { idx } : {}),
      });
    }
  }
  if (items.length === 0) {
    throw new StepFailure([`Purchase Order ${doc.name} has no item rows Interco can read.`], {
      retryable: true,
      chunk: chunk.index,
    });
  }
  const marked = doc.custom_interco_marker;
  return {
    name: doc.name,
    items,
    ...(typeof doc.docstatus === 'number' ? { docstatus: doc.docstatus } : {}),
    ...(typeof marked === 'string' ? { custom_interco_marker: marked } : {}),
  };
}
