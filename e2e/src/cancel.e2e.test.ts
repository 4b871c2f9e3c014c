/**
 * Cancel (issue 5): a completed transfer is undone, last document first; a cancel that comes
 * while a step is in the middle of a write leaves no live document behind (the compensation of
 * that step waits for its lease, then finds and cancels what the write made).
 */
import type { TransferState } from '@interco/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
});

afterAll(async () => {
  await pipeline?.close();
});

const ended = (s: TransferState) => ['completed', 'failed', 'cancelled', 'cancel_failed'].includes(s.status);

/** Every document of the transfer, in both sites, by doctype and site. */
async function documentsOf(id: string) {
  const [orders, receiptsA, notes, receiptsB] = await Promise.all([
    pipeline.a.documentsOf('Purchase Order', id),
    pipeline.a.documentsOf('Purchase Receipt', id),
    pipeline.a.documentsOf('Delivery Note', id),
    pipeline.b.documentsOf('Purchase Receipt', id),
  ]);
  return { po_a: orders, pr_a: receiptsA, dn_a: notes, pr_b: receiptsB };
}

describe('cancel', () => {
  it('undoes a completed transfer: four documents cancelled, the serials back as they were', async () => {
    const body = demoTransfer({ perItem: { 'PIN-001': 4, 'PIN-002': 3 } });
    const serials = body.items.flatMap((item) => item.serials);
    // Before the transfer, neither site knows the serials.
    const knownBefore = new Set(
      [...(await pipeline.a.serials()), ...(await pipeline.b.serials())].map((s) => s.name),
    );
    for (const serial of serials) expect(knownBefore.has(serial)).toBe(false);

    const id = await pipeline.submit(body);
    const completed = await pipeline.waitFor(id, ended);
    expect(completed.status, JSON.stringify(completed.steps)).toBe('completed');

    const cancel = await pipeline.call('POST', `/v1/transfers/${id}/cancel`, { reason: 'sent by mistake' });
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202);
    expect(cancel.body).toMatchObject({ transfer_id: id, generation: 2 });

    const cancelled = await pipeline.waitFor(
      id,
      (s) => s.status === 'cancelled' || s.status === 'cancel_failed',
    );
    expect(cancelled.status, JSON.stringify(cancelled.steps)).toBe('cancelled');
    expect(cancelled.current_step).toBeNull();

    const docs = await documentsOf(id);
    for (const step of ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const) {
      expect(docs[step], step).toHaveLength(1);
      expect(docs[step][0]?.docstatus, step).toBe(2);
      expect(cancelled.steps[step].status).toBe('cancelled');
      expect(cancelled.steps[step].cancelled_documents.map((d) => d.name)).toEqual([docs[step][0]?.name]);
    }

    // The compensation ran last step first, then po-a closed the transfer.
    const events = await pipeline.events(id);
    expect(events.map((e) => `${e.type}@${e.generation}`)).toEqual([
      'transfer.requested@1',
      'po_a.done@1',
      'pr_a.done@1',
      'dn_a.done@1',
      'pr_b.done@1',
      'transfer.cancel_requested@2',
      'pr_b.cancelled@2',
      'dn_a.cancelled@2',
      'pr_a.cancelled@2',
      'po_a.cancelled@2',
      'transfer.cancelled@2',
    ]);
    expect(events.at(-1)?.data).toEqual({ steps_cancelled: ['po_a', 'pr_a', 'dn_a', 'pr_b'] });

    // The serials are where they were: in stock in neither company (A's receipt, cancelled, took
    // them out of A again; B's receipt, cancelled, out of B).
    const inA = new Map((await pipeline.a.serials()).map((s) => [s.name, s]));
    const inB = new Map((await pipeline.b.serials()).map((s) => [s.name, s]));
    for (const serial of serials) {
      expect(inA.get(serial)).toMatchObject({ status: 'Inactive', warehouse: null });
      expect(inB.get(serial)).toMatchObject({ status: 'Inactive', warehouse: null });
    }

    // Cancelled is final.
    const again = await pipeline.call('POST', `/v1/transfers/${id}/cancel`);
    expect(again.status).toBe(409);
    expect((await pipeline.call('POST', `/v1/transfers/${id}/retry`)).status).toBe(409);
  });

  it('a cancel during a write in flight leaves no live document in either site', async () => {
    // pr-a's Purchase Receipt takes 3 s to be written: the cancel comes while it is under way.
    await pipeline.a.setRules([
      { match: { doctype: 'Purchase Receipt', writes_only: true }, latency_ms: 3_000 },
    ]);
    try {
      await pipeline.a.resetCounters();
      const id = await pipeline.submit(demoTransfer({ perItem: { 'SIM-001': 3 } }));
      await pipeline.waitFor(id, (s) => s.steps.po_a.status === 'done' || ended(s));

      // The receipt's insert has reached site A (the order's insert is the first write).
      const deadline = Date.now() + 10_000;
      for (;;) {
        const { counts } = await pipeline.a.requests();
        if ((counts['POST /api/resource/:doctype'] ?? 0) >= 2) break;
        if (Date.now() > deadline)
          throw new Error(`pr-a's insert never reached site A: ${JSON.stringify(counts)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await pipeline.a.documentsOf('Purchase Receipt', id)).toEqual([]); // not committed yet

      const cancel = await pipeline.call('POST', `/v1/transfers/${id}/cancel`);
      expect(cancel.status, JSON.stringify(cancel.body)).toBe(202);

      const final = await pipeline.waitFor(
        id,
        (s) => s.status === 'cancelled' || s.status === 'cancel_failed',
      );
      expect(final.status, JSON.stringify(final.steps)).toBe('cancelled');

      // The write in flight committed, and its compensation found and cancelled it: no orphan.
      const docs = await documentsOf(id);
      expect(docs.po_a.map((d) => d.docstatus)).toEqual([2]);
      expect(docs.pr_a.map((d) => d.docstatus)).toEqual([2]);
      expect(docs.dn_a).toEqual([]);
      expect(docs.pr_b).toEqual([]);
      const live = Object.values(docs)
        .flat()
        .filter((d) => d.docstatus !== 2);
      expect(live).toEqual([]);
      expect(final.steps.pr_a.cancelled_documents.map((d) => d.name)).toEqual([docs.pr_a[0]?.name]);
      expect(final.steps.po_a.cancelled_documents.map((d) => d.name)).toEqual([docs.po_a[0]?.name]);

      // No step moved forward after the cancel: dn_a and pr_b made nothing.
      const events = await pipeline.events(id);
      expect(events.some((e) => e.type === 'dn_a.done' || e.type === 'pr_b.done')).toBe(false);
      expect(events.at(-1)?.type).toBe('transfer.cancelled');

      const again = await pipeline.call('POST', `/v1/transfers/${id}/cancel`);
      expect(again.status).toBe(409);
    } finally {
      await pipeline.a.setRules();
    }
  });
});
