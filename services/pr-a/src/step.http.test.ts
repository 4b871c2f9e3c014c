import { demoSitesForFile, demoTransfer, forwardContext, stepFailure } from '@interco/bus/test-support';
import { buildPurchaseOrder, insertOnce, MARKER_FIELDNAME, marker } from '@interco/erpnext';
import { describe, expect, it } from 'vitest';
import { prA } from './step.js';

const sites = demoSitesForFile();

describe('pr-a against the simulator', () => {
  it('is the Purchase Receipt step in company A', () => {
    expect(prA).toMatchObject({ step: 'pr_a', service: 'pr-a', instance: 'a', doctype: 'Purchase Receipt' });
  });

  it('receives against the chunk’s submitted order, found by its marker', async () => {
    const { ctx, chunk } = forwardContext(demoTransfer(2, '4811'), sites.clients, 'a');
    const { doc: po } = await insertOnce(
      sites.clients.a,
      'Purchase Order',
      buildPurchaseOrder(ctx.manifest, ctx.transferId, chunk, ctx.today),
      { marker: marker(ctx.transferId, 'po_a', 0) },
    );
    const body = await prA.build(ctx, chunk);
    expect(body).toMatchObject({
      company: 'Compania A',
      [MARKER_FIELDNAME]: marker(ctx.transferId, 'pr_a', 0),
      items: [
        { item_code: 'PIN-001', qty: 2, purchase_order: po.name },
        { item_code: 'PIN-002', qty: 2, purchase_order: po.name },
      ],
    });
    // ... and ERPNext takes it.
    const { doc: pr } = await insertOnce(sites.clients.a, 'Purchase Receipt', body, {
      marker: marker(ctx.transferId, 'pr_a', 0),
    });
    expect(pr.docstatus).toBe(1);
  });

  it('fails naming the marker when the chunk has no submitted order', async () => {
    const { ctx, chunk } = forwardContext(demoTransfer(1, '4812'), sites.clients, 'a');
    const error = await stepFailure(prA.build(ctx, chunk));
    expect(error).toMatchObject({ retryable: true, chunk: 0 });
    expect(error.messages[0]).toContain(marker(ctx.transferId, 'po_a', 0));
  });
});
