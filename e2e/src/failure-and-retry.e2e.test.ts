/**
 * Issue 5: "A permanent error the preflight cannot see (e.g. the price list removed after
 * preflight) fails the transfer at once with ERPNext's message; after the fix, retry completes
 * it without a second document for the steps already done."
 *
 * dn-a starts with no replica, so the transfer stops after pr_a.done whatever the timing; the
 * selling price list the Delivery Note resolves (the customer's default) is then disabled in
 * company A, and only then does a dn-a replica start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline({ stepReplicas: { dn_a: 0 } });
});

afterAll(async () => {
  await pipeline?.close();
});

const PRICE_LIST = `/api/resource/${encodeURIComponent('Price List')}/${encodeURIComponent('Standard Selling')}`;

describe('a permanent error after the preflight', () => {
  it('fails dn_a at once with ERPNext’s message; a retry after the fix completes without a second document', async () => {
    const body = demoTransfer({ perItem: { 'PIN-001': 3, 'SIM-001': 2 } });
    const serials = body.items.flatMap((item) => item.serials);
    const id = await pipeline.submit(body);

    // po_a (with its preflight) and pr_a run; dn_a has no worker yet.
    await pipeline.waitFor(id, (s) => s.steps.pr_a.status === 'done' || s.status === 'failed');
    const before = await pipeline.state(id);
    expect(before?.steps.pr_a.status, JSON.stringify(before?.steps)).toBe('done');

    // What the preflight checked is gone now: the customer's default selling price list.
    const disabled = await pipeline.a.api('PUT', PRICE_LIST, { enabled: 0 });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);

    const started = Date.now();
    await pipeline.startReplica('dn_a');
    const failed = await pipeline.waitFor(
      id,
      (s) => s.status === 'failed' || s.status === 'completed',
      30_000,
    );
    const failedAfterMs = Date.now() - started;

    expect(failed.status).toBe('failed');
    expect(failed.failed_step).toBe('dn_a');
    expect(failed.steps.dn_a.status).toBe('failed');
    expect(failed.steps.dn_a.attempts).toBe(1);
    expect(failed.steps.dn_a.last_error?.kind).toBe('permanent');
    expect(failed.steps.dn_a.last_error?.http_status).toBe(417);
    expect(failed.steps.dn_a.last_error?.messages.join('\n')).toContain(
      'Price List Standard Selling is disabled or does not exist',
    );
    // "At once": no backoff, no waiting, a single attempt.
    expect(failedAfterMs).toBeLessThan(10_000);
    const failedEvents = await pipeline.events(id);
    expect(failedEvents.filter((e) => e.type === 'dn_a.waiting')).toEqual([]);
    const failures = failedEvents.filter((e) => e.type === 'dn_a.failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]?.data).toMatchObject({ attempt: 1, retryable: true });
    expect(await pipeline.a.documentsOf('Delivery Note', id)).toEqual([]);

    // The fix, then the retry: dn_a runs again (generation 2), the steps done before do not.
    expect((await pipeline.a.api('PUT', PRICE_LIST, { enabled: 1 })).status).toBe(200);
    const retry = await pipeline.call('POST', `/v1/transfers/${id}/retry`, {
      reason: 'price list enabled again',
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(202);
    expect(retry.body).toMatchObject({ transfer_id: id, generation: 2 });

    const done = await pipeline.waitFor(id, (s) => s.status === 'completed' || s.status === 'failed', 30_000);
    expect(done.status, JSON.stringify(done.steps)).toBe('completed');
    expect((await pipeline.call('POST', `/v1/transfers/${id}/retry`)).status).toBe(409);

    // One document per step, each submitted, and none made twice: the sites hold no other.
    const [orders, receiptsA, notes, receiptsB] = await Promise.all([
      pipeline.a.documents('Purchase Order'),
      pipeline.a.documents('Purchase Receipt'),
      pipeline.a.documents('Delivery Note'),
      pipeline.b.documents('Purchase Receipt'),
    ]);
    for (const [step, docs] of [
      ['po_a', orders],
      ['pr_a', receiptsA],
      ['dn_a', notes],
      ['pr_b', receiptsB],
    ] as const) {
      expect(docs, step).toHaveLength(1);
      expect(docs[0]?.docstatus, step).toBe(1);
      expect(docs[0]?.custom_interco_marker, step).toBe(`${id}:${step}:0`);
      expect(done.steps[step].documents.map((d) => d.name)).toEqual([docs[0]?.name]);
    }
    // The steps done before the failure were not run again: their done events are the first ones.
    expect(done.steps.po_a.documents).toEqual(before?.steps.po_a.documents);
    expect(done.steps.pr_a.documents).toEqual(before?.steps.pr_a.documents);

    const events = await pipeline.events(id);
    expect(events.map((e) => `${e.type}@${e.generation}`)).toEqual([
      'transfer.requested@1',
      'po_a.done@1',
      'pr_a.done@1',
      'dn_a.failed@1',
      'transfer.retry_requested@2',
      'dn_a.done@2',
      'pr_b.done@2',
    ]);

    const inA = new Map((await pipeline.a.serials()).map((s) => [s.name, s]));
    const inB = new Map((await pipeline.b.serials()).map((s) => [s.name, s]));
    for (const serial of serials) {
      expect(inA.get(serial)?.status).toBe('Delivered');
      expect(inB.get(serial)?.status).toBe('Active');
    }
  });
});
