import {
  demoSitesForFile,
  demoTransfer,
  forwardContext,
  receiveInA,
  stepFailure,
} from '@interco/bus/test-support';
import { buildDeliveryNote, insertOnce, MARKER_FIELDNAME, marker } from '@interco/erpnext';
import { describe, expect, it } from 'vitest';
import { companyB, prB } from './step.js';

const sites = demoSitesForFile();

describe('pr-b against the simulator', () => {
  it('is the Purchase Receipt step in company B', () => {
    expect(prB).toMatchObject({ step: 'pr_b', service: 'pr-b', instance: 'b', doctype: 'Purchase Receipt' });
  });

  it('names A’s delivery note of the chunk and resolves company B from B’s warehouse', async () => {
    const { ctx, chunk } = forwardContext(demoTransfer(2, '4831'), sites.clients, 'b');
    // A's receipt then delivery note of the chunk.
    await receiveInA(ctx);
    const { doc: dn } = await insertOnce(
      sites.clients.a,
      'Delivery Note',
      buildDeliveryNote(ctx.manifest, ctx.transferId, chunk),
      { marker: marker(ctx.transferId, 'dn_a', 0) },
    );

    expect(ctx.manifest.company_b_name).toBeUndefined();
    const body = await prB.build(ctx, chunk);
    expect(body).toMatchObject({
      supplier: 'Compania A',
      company: 'Compania B',
      set_warehouse: 'Stores - CB',
      supplier_delivery_note: dn.name,
      [MARKER_FIELDNAME]: marker(ctx.transferId, 'pr_b', 0),
    });
    const { doc: pr } = await insertOnce(sites.clients.b, 'Purchase Receipt', body, {
      marker: marker(ctx.transferId, 'pr_b', 0),
    });
    expect(pr.docstatus).toBe(1);
  });

  it('uses company_b_name when the transfer gives it, without asking B', async () => {
    const manifest = demoTransfer(1, '4832', {
      company_b_name: 'Compania B Given',
      company_b_warehouse: 'Almacen Inexistente - CB',
    });
    const { ctx } = forwardContext(manifest, sites.clients, 'b');
    expect(await companyB(ctx)).toBe('Compania B Given');
    const { ctx: other } = forwardContext(demoTransfer(1, '4834'), sites.clients, 'b');
    expect(await companyB(other)).toBe('Compania B');
  });

  it('fails naming the marker when A has no delivery note for the chunk', async () => {
    const { ctx, chunk } = forwardContext(demoTransfer(1, '4833'), sites.clients, 'b');
    const error = await stepFailure(prB.build(ctx, chunk));
    expect(error).toMatchObject({ retryable: true, chunk: 0 });
    expect(error.messages[0]).toContain(marker(ctx.transferId, 'dn_a', 0));
  });
});
