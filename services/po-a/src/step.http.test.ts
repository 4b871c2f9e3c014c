import { demoSitesForFile, demoTransfer, forwardContext, stepFailure } from '@interco/bus/test-support';
import { insertOnce, MARKER_FIELDNAME, marker } from '@interco/erpnext';
import { describe, expect, it } from 'vitest';
import { poA } from './step.js';

const sites = demoSitesForFile();

describe('po-a against the simulator', () => {
  it('passes the preflight on the demo sites and builds the chunk’s order', async () => {
    const { ctx, chunk } = forwardContext(demoTransfer(2, '4801'), sites.clients, 'a');
    await expect(poA.before?.(ctx)).resolves.toBeUndefined();
    const body = await poA.build(ctx, chunk);
    expect(body).toMatchObject({
      supplier: 'Proveedor de Pines SA',
      company: 'Compania A',
      items: [
        { item_code: 'PIN-001', qty: 2 },
        { item_code: 'PIN-002', qty: 2 },
      ],
      [MARKER_FIELDNAME]: marker(ctx.transferId, 'po_a', 0),
    });
  });

  it('fails the transfer with every problem the preflight finds', async () => {
    const manifest = demoTransfer(1, '4802', {
      company_a_name: 'Compania Fantasma',
      company_b_warehouse: 'Almacen Inexistente - CB',
    });
    const { ctx } = forwardContext(manifest, sites.clients, 'a');
    const { messages } = await stepFailure(poA.before?.(ctx));
    expect(
      messages.some((m) => m.startsWith('company A (company-a): ') && m.includes('Compania Fantasma')),
    ).toBe(true);
    expect(
      messages.some((m) => m.startsWith('company B (company-b): ') && m.includes('Almacen Inexistente')),
    ).toBe(true);
  });

  it('does not run the preflight again once the order of chunk 0 exists', async () => {
    const { ctx, chunk } = forwardContext(demoTransfer(1, '4803'), sites.clients, 'a');
    await insertOnce(sites.clients.a, 'Purchase Order', await poA.build(ctx, chunk), {
      marker: marker(ctx.transferId, 'po_a', 0),
    });
    // A preflight now would fail (no such company); the order says it passed before.
    const later = { ...ctx, manifest: { ...ctx.manifest, company_b_warehouse: 'Almacen Inexistente - CB' } };
    await expect(poA.before?.(later)).resolves.toBeUndefined();
  });
});
