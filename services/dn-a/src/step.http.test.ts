import { demoSitesForFile, demoTransfer, forwardContext, receiveInA } from '@interco/bus/test-support';
import { findByMarker, insertOnce, MARKER_FIELDNAME, marker } from '@interco/erpnext';
import { describe, expect, it } from 'vitest';
import { dnA } from './step.js';

const sites = demoSitesForFile();

describe('dn-a against the simulator', () => {
  it('is the Delivery Note step in company A', () => {
    expect(dnA).toMatchObject({ step: 'dn_a', service: 'dn-a', instance: 'a', doctype: 'Delivery Note' });
  });

  it('builds the chunk’s note without a price list, and ERPNext resolves the customer’s', async () => {
    const { ctx, chunk } = forwardContext(demoTransfer(2, '4821'), sites.clients, 'a');
    // The serials must be in A's stock first.
    await receiveInA(ctx);
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
