/**
 * The step runtime end to end: four workers (test definitions made from the services' builders)
 * on a real nats-server, against the ERPNext simulator's demo sites. A transfer is requested by
 * hand, as intake would.
 */
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { testDefinitions } from './test-support/definitions.js';
import { PipelineHarness, type Workers } from './test-support/harness.js';

const names = busNames(testNamespace().subjectPrefix);
let harness: PipelineHarness;
let workers: Workers | undefined;

beforeAll(async () => {
  harness = await PipelineHarness.start(natsUrl(), names);
});
afterEach(async () => {
  await workers?.drain();
  workers = undefined;
});
afterAll(async () => {
  await harness?.close();
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('step runtime pipeline', () => {
  it('makes the four documents of a transfer, one write each, and publishes pr_b.done', async () => {
    workers = await harness.startWorkers(testDefinitions());
    await harness.resetCounters();
    const manifest = harness.manifest(10, '4911');
    const { transferId, events } = await harness.request(manifest);

    const done = await events.next('pr_b.done', 1);
    expect(done.data).toMatchObject({
      instance: 'company-b',
      attempt: 1,
      documents: [{ doctype: 'Purchase Receipt', chunk: 0, serial_count: 30 }],
    });
    expect(events.types()).toEqual([
      'transfer.requested@1',
      'po_a.done@1',
      'pr_a.done@1',
      'dn_a.done@1',
      'pr_b.done@1',
    ]);
    for (const type of ['po_a.done', 'pr_a.done', 'dn_a.done'] as const) {
      expect((await events.next(type, 1)).data).toMatchObject({
        instance: 'company-a',
        attempt: 1,
        documents: [{ chunk: 0, serial_count: 30 }],
      });
    }

    const [po] = await harness.documents(harness.a, 'Purchase Order', transferId);
    const [prA] = await harness.documents(harness.a, 'Purchase Receipt', transferId);
    const [dn] = await harness.documents(harness.a, 'Delivery Note', transferId);
    const [prB] = await harness.documents(harness.b, 'Purchase Receipt', transferId);
    for (const doc of [po, prA, dn, prB]) expect(doc).toMatchObject({ docstatus: 1 });
    expect(await harness.documents(harness.a, 'Purchase Order', transferId)).toHaveLength(1);
    expect(await harness.documents(harness.a, 'Purchase Receipt', transferId)).toHaveLength(1);
    expect(await harness.documents(harness.a, 'Delivery Note', transferId)).toHaveLength(1);
    expect(await harness.documents(harness.b, 'Purchase Receipt', transferId)).toHaveLength(1);
    expect(prB).toMatchObject({ company: 'Compania B', supplier_delivery_note: dn?.name });

    // Exactly four writes: one insert-and-submit per document, nothing else written.
    expect(await harness.writes(harness.a)).toEqual({ 'POST /api/resource/:doctype': 3 });
    expect(await harness.writes(harness.b)).toEqual({ 'POST /api/resource/:doctype': 1 });

    expect(events.fold()).toMatchObject({ state: { status: 'completed' }, invalid: [] });

    // Logs carry counts, never serials.
    const logs = harness.log.text();
    expect(logs).toContain(transferId);
    for (const item of manifest.items) for (const serial of item.serials) expect(logs).not.toContain(serial);
    events.stop();
  });

  it('fails dn_a on a permanent error with ERPNext’s message, and goes no further', async () => {
    workers = await harness.startWorkers(testDefinitions({ dnPriceList: 'Lista Inexistente' }));
    const { transferId, events } = await harness.request(harness.manifest(2, '4922'));

    const failed = await events.next('dn_a.failed', 1);
    expect(failed.data).toEqual({
      instance: 'company-a',
      attempt: 1,
      retryable: true,
      error: {
        kind: 'permanent',
        http_status: 417,
        exc_type: 'LinkValidationError',
        messages: ['Could not find Price List: Lista Inexistente'],
        chunk: 0,
      },
    });
    expect(await harness.documents(harness.a, 'Delivery Note', transferId)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events.types()).toEqual(['transfer.requested@1', 'po_a.done@1', 'pr_a.done@1', 'dn_a.failed@1']);
    expect(events.fold()).toMatchObject({ state: { status: 'failed', failed_step: 'dn_a' }, invalid: [] });

    // The cause fixed (here: the right definition), a retry of dn_a carries the transfer through.
    await workers.drain();
    workers = await harness.startWorkers(testDefinitions());
    expect(await harness.retry(transferId, 'dn_a')).toBe(2);
    await events.next('pr_b.done', 2);
    expect(events.types().slice(4)).toEqual(['transfer.retry_requested@2', 'dn_a.done@2', 'pr_b.done@2']);
    expect(events.fold()).toMatchObject({ state: { status: 'completed' }, invalid: [] });
    expect(await harness.documents(harness.a, 'Purchase Order', transferId)).toHaveLength(1);
    expect(await harness.documents(harness.a, 'Delivery Note', transferId)).toHaveLength(1);
    events.stop();
  });

  it('waits out a site in maintenance (503), saying so, then goes on', async () => {
    // dn_a starts once pr_a is done, and the site is in maintenance for its first two inserts
    // (set then, so that po_a's preflight reads are not the ones refused).
    const definitions = testDefinitions();
    const dnA = definitions.filter((definition) => definition.step === 'dn_a');
    workers = await harness.startWorkers(definitions.filter((definition) => definition.step !== 'dn_a'));
    const { transferId, events } = await harness.request(harness.manifest(2, '4944'));
    await events.next('pr_a.done', 1);
    await harness.setFaults(harness.a, {
      rules: [
        { match: { doctype: 'Delivery Note', writes_only: true }, error_rates: { '503': 1 }, times: 2 },
      ],
    });
    try {
      workers = workers.with(await harness.startWorkers(dnA));
      await events.next('pr_b.done', 1);
      const waiting = events.events.filter((event) => event.type === 'dn_a.waiting');
      expect(waiting.map((event) => event.data)).toEqual([
        expect.objectContaining({ instance: 'company-a', reason: 'maintenance', attempt: 1 }),
        expect.objectContaining({ instance: 'company-a', reason: 'maintenance', attempt: 2 }),
      ]);
      expect((await events.next('dn_a.done', 1)).data).toMatchObject({ attempt: 3 });
      expect(await harness.documents(harness.a, 'Delivery Note', transferId)).toHaveLength(1);
      expect(events.fold()).toMatchObject({ state: { status: 'completed' }, invalid: [] });
      events.stop();
    } finally {
      await harness.setFaults(harness.a, {});
    }
  });

  it('makes one order when the answer of its insert is lost (the marker finds it)', async () => {
    workers = await harness.startWorkers(testDefinitions());
    await harness.setFaults(harness.a, {
      rules: [{ match: { doctype: 'Purchase Order', writes_only: true }, commit_then_drop: true, times: 1 }],
    });
    try {
      const { transferId, events } = await harness.request(harness.manifest(2, '4955'));
      const poDone = await events.next('po_a.done', 1);
      await events.next('pr_b.done', 1);
      const orders = await harness.documents(harness.a, 'Purchase Order', transferId);
      expect(orders).toHaveLength(1);
      expect(poDone.data).toMatchObject({ documents: [{ name: orders[0]?.name }] });
      events.stop();
    } finally {
      await harness.setFaults(harness.a, {});
    }
  });

  it('drains: stops pulling, lets the message in hand publish and ack, then resolves', async () => {
    const [poA] = testDefinitions();
    if (poA === undefined) throw new Error('no po_a definition');
    const drained = await harness.startWorkers([poA]);
    await harness.setFaults(harness.a, {
      rules: [{ match: { doctype: 'Purchase Order', writes_only: true }, slow_commit_ms: 800, times: 1 }],
    });
    try {
      const { transferId, events } = await harness.request(harness.manifest(1, '4966'));
      await waitFor(() =>
        harness.log.lines.some(
          (line) => line.includes(transferId) && line.includes('making the Purchase Order documents'),
        ),
      );
      const [worker] = drained.all;
      await drained.drain();
      expect(worker?.ready()).toBe(false);
      // Published before the drain resolved.
      expect(events.types()).toEqual(['transfer.requested@1', 'po_a.done@1']);
      // ... and acked: nothing of po_a's waits for an ack.
      const info = await (await jetstreamManager(harness.nc)).consumers.info(names.stream, 'step_po_a');
      expect(info.num_ack_pending).toBe(0);
      events.stop();
    } finally {
      await harness.setFaults(harness.a, {});
    }
  });

  it('cancels the four documents of a completed transfer, last first, and publishes transfer.cancelled', async () => {
    workers = await harness.startWorkers(testDefinitions());
    const { transferId, events } = await harness.request(harness.manifest(3, '4933'));
    await events.next('pr_b.done', 1);
    await harness.complete(transferId);

    const generation = await harness.cancel(transferId);
    expect(generation).toBe(2);
    const cancelled = await events.next('transfer.cancelled', 2);
    expect(cancelled.data).toEqual({ steps_cancelled: ['po_a', 'pr_a', 'dn_a', 'pr_b'] });
    expect(events.types().slice(5)).toEqual([
      'transfer.cancel_requested@2',
      'pr_b.cancelled@2',
      'dn_a.cancelled@2',
      'pr_a.cancelled@2',
      'po_a.cancelled@2',
      'transfer.cancelled@2',
    ]);
    for (const [type, doctype, instance] of [
      ['pr_b.cancelled', 'Purchase Receipt', 'company-b'],
      ['dn_a.cancelled', 'Delivery Note', 'company-a'],
      ['pr_a.cancelled', 'Purchase Receipt', 'company-a'],
      ['po_a.cancelled', 'Purchase Order', 'company-a'],
    ] as const) {
      expect((await events.next(type, 2)).data).toMatchObject({
        instance,
        documents: [{ doctype, chunk: 0, serial_count: 9 }],
      });
    }
    for (const [site, doctype] of [
      [harness.a, 'Purchase Order'],
      [harness.a, 'Purchase Receipt'],
      [harness.a, 'Delivery Note'],
      [harness.b, 'Purchase Receipt'],
    ] as const) {
      const docs = await harness.documents(site, doctype, transferId);
      expect(docs.map((doc) => doc.docstatus)).toEqual([2]);
    }
    expect(events.fold()).toMatchObject({ state: { status: 'cancelled' }, invalid: [] });
    events.stop();
  });

  it('pulls only for free slots: a message behind a long write is not pulled early (no redelivery)', async () => {
    const [poA] = testDefinitions();
    if (poA === undefined) throw new Error('no po_a definition');
    // One slot, a 2 s ack_wait, and a first order that takes 5 s to commit: a message pulled ahead
    // would sit without a heartbeat past its ack_wait and come again.
    workers = await harness.startWorkers([poA], { concurrency: 1, ackWaitMs: 2_000 });
    await harness.setFaults(harness.a, {
      rules: [{ match: { doctype: 'Purchase Order', writes_only: true }, slow_commit_ms: 5_000, times: 1 }],
    });
    const jsm = await jetstreamManager(harness.nc);
    const before = await jsm.consumers.info(names.stream, 'step_po_a');
    try {
      const first = await harness.request(harness.manifest(1, '4977'));
      await waitFor(() =>
        harness.log.lines.some(
          (line) => line.includes(first.transferId) && line.includes('making the Purchase Order documents'),
        ),
      );
      const second = await harness.request(harness.manifest(1, '4978'));
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // past the second's ack_wait
      const during = await jsm.consumers.info(names.stream, 'step_po_a');
      expect(during.num_ack_pending).toBe(1); // the one in hand, nothing waiting in the client
      expect(during.num_pending).toBeGreaterThanOrEqual(1); // the second waits on the server
      await first.events.next('po_a.done', 1);
      expect((await second.events.next('po_a.done', 1)).data).toMatchObject({ attempt: 1 });
      const after = await jsm.consumers.info(names.stream, 'step_po_a');
      expect(after.num_redelivered).toBe(before.num_redelivered);
      first.events.stop();
      second.events.stop();
    } finally {
      await harness.setFaults(harness.a, {});
    }
  });

  it('publishes no done when a cancel comes in during the last write; the compensation cancels what it made', async () => {
    const definitions = testDefinitions();
    workers = await harness.startWorkers(definitions.filter((definition) => definition.step !== 'pr_b'));
    const { transferId, events } = await harness.request(harness.manifest(2, '4988'));
    await events.next('dn_a.done', 1);
    await harness.setFaults(harness.b, {
      rules: [{ match: { doctype: 'Purchase Receipt', writes_only: true }, slow_commit_ms: 3_000, times: 1 }],
    });
    try {
      workers = workers.with(
        await harness.startWorkers(definitions.filter((definition) => definition.step === 'pr_b')),
      );
      await waitFor(() =>
        harness.log.lines.some(
          (line) =>
            line.includes(transferId) &&
            line.includes('"step":"pr_b"') &&
            line.includes('making the Purchase Receipt documents'),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // the receipt's write is under way
      expect(await harness.cancel(transferId)).toBe(2);

      const cancelled = await events.next('transfer.cancelled', 2, 60_000);
      expect(cancelled.data).toEqual({ steps_cancelled: ['po_a', 'pr_a', 'dn_a', 'pr_b'] });
      expect(events.types()).not.toContain('pr_b.done@1');
      expect(harness.log.text()).toContain('pr_b.done is not published');
      const receipts = await harness.documents(harness.b, 'Purchase Receipt', transferId);
      expect(receipts.map((doc) => doc.docstatus)).toEqual([2]);
      expect(events.fold()).toMatchObject({ state: { status: 'cancelled' }, invalid: [] });
      events.stop();
    } finally {
      await harness.setFaults(harness.b, {});
    }
  });
});
