/**
 * Test-only step definitions for the runtime's pipeline test, made from the same builders as the
 * services' own (the step.ts of each service), which packages/bus cannot import (the services depend on
 * this package, not the other way round). Each service tests its own definition.
 */

import {
  buildDeliveryNote,
  buildPurchaseOrder,
  buildPurchaseReceiptA,
  buildPurchaseReceiptB,
  findByMarker,
  marker,
  preflight,
  type SubmittedPurchaseOrder,
} from '@interco/erpnext';
import type { StepDefinition } from '../definition.js';
import { StepFailure, TransientStepError } from '../step-errors.js';

export interface TestDefinitionOptions {
  /** dn_a sends this selling price list (e.g. one the site does not have, for a permanent failure). */
  dnPriceList?: string;
}

export function testDefinitions(options: TestDefinitionOptions = {}): StepDefinition[] {
  const poA: StepDefinition = {
    step: 'po_a',
    service: 'po-a',
    instance: 'a',
    doctype: 'Purchase Order',
    async before(ctx) {
      const existing = await findByMarker(ctx.client, 'Purchase Order', marker(ctx.transferId, 'po_a', 0));
      if (existing.length > 0) return;
      const report = await preflight(ctx.clients, ctx.manifest, { today: ctx.today });
      if (report.ok) return;
      const lines = report.problems.map(
        (p) => `company ${p.instance.toUpperCase()} (${ctx.record.instances[p.instance]}): ${p.message}`,
      );
      if (report.problems.some((p) => p.check === 'instance_unreachable' || p.check === 'read_failed')) {
        throw new TransientStepError(lines);
      }
      throw new StepFailure(lines, { retryable: true });
    },
    async build(ctx, chunk) {
      return buildPurchaseOrder(ctx.manifest, ctx.transferId, chunk, ctx.today);
    },
  };
  const prA: StepDefinition = {
    step: 'pr_a',
    service: 'pr-a',
    instance: 'a',
    doctype: 'Purchase Receipt',
    async build(ctx, chunk) {
      const [po] = (
        await findByMarker(ctx.client, 'Purchase Order', marker(ctx.transferId, 'po_a', chunk.index))
      ).filter((doc) => doc.docstatus === 1);
      if (po === undefined) throw new StepFailure([`no Purchase Order for chunk ${chunk.index}`]);
      return buildPurchaseReceiptA(
        ctx.manifest,
        ctx.transferId,
        chunk,
        po as unknown as SubmittedPurchaseOrder,
      );
    },
  };
  const dnA: StepDefinition = {
    step: 'dn_a',
    service: 'dn-a',
    instance: 'a',
    doctype: 'Delivery Note',
    async build(ctx, chunk) {
      return buildDeliveryNote(ctx.manifest, ctx.transferId, chunk, options.dnPriceList);
    },
  };
  const prB: StepDefinition = {
    step: 'pr_b',
    service: 'pr-b',
    instance: 'b',
    doctype: 'Purchase Receipt',
    async build(ctx, chunk) {
      const [dn] = (
        await findByMarker(ctx.clients.a, 'Delivery Note', marker(ctx.transferId, 'dn_a', chunk.index))
      ).filter((doc) => doc.docstatus === 1);
      if (dn === undefined) throw new StepFailure([`no Delivery Note for chunk ${chunk.index}`]);
      const warehouse = await ctx.client.get('Warehouse', ctx.manifest.company_b_warehouse);
      const company = ctx.manifest.company_b_name ?? String(warehouse.company);
      return buildPurchaseReceiptB(ctx.manifest, ctx.transferId, chunk, dn.name, company);
    },
  };
  return [poA, prA, dnA, prB];
}
