import { type DemoSites, demoSites, demoTransfer, forwardContext } from '@interco/bus/test-support';
import { findByMarker, insertOnce, MARKER_FIELDNAME, marker } from '@interco/erpnext';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dnA } from './step.js';

let sites: DemoSites;
beforeAll(async () => {
  sites = await demoSites();
});
afterAll(async () => {
  await sites?.close();
});

describe('dn-a against the simulator', () => {
  it('is the Delivery Note step in company A', () => {
    expect(dnA).toMatchObject({ step: 'dn_a', service: 'dn-a', instance: 'a', doctype: 'Delivery Note' });
  });

  it('builds the chunk’s note without a price list, and ERPNext resolves the customer’s', async () => {
    const { ctx, chunks } = forwardContext(demoTransfer(2, '4821'), sites.clients, 'a');
    const [chunk] = chunks;
    if (chunk === undefined) throw new Error('no chunk');
    // The serials must be in A's stock first: receive them (no PO needed on the demo site).
    await insertOnce(
      sites.clients.a,
      'Purchase Receipt',
      {
        supplier: 'Proveedor de Pines SA',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: ctx.manifest.items.map((item) => ({
          item_code: item.item_code,
          qty: item.serials.length,
          rate: 10,
          serial_no: item.serials.join('\n'),
        })),
      },
      { marker: marker(ctx.transferId, 'pr_a', 0) },
    );
    const body = await dnA.build(ctx, chunk);
    expect(body).not.toHaveProperty('selling_price_list');
    expect(body).toMatchObject({
      customer: 'Compania B',
      company: 'Compania A',
      po_no: ctx.transferId,
      [MARKER_FIELDNAME]: marker(ctx.transferId, 'dn_a', 0),
    });
    await insertOnce(sites.clients.a, 'Delivery Note', body, { marker: marker(ctx.transferId, 'dn_a', 0) });
    const [dn] = await findByMarker(sites.clients.a, 'Delivery Note', marker(ctx.transferId, 'dn_a', 0));
    expect(dn).toMatchObject({ docstatus: 1, selling_price_list: 'Standard Selling' });
  });
});
