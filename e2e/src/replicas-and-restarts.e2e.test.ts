/**
 * Issue 5: "Two replicas of every step service, one killed mid-call and restarted, and
 * nats-server restarted mid-run: all complete, no duplicates."
 *
 * This file runs its own nats-server (it restarts it). Every write takes 800 ms, so calls are in
 * flight; the instance timeouts are small (worker 3 s, write 5 s), so the lease a killed replica
 * leaves behind expires in 15 s (write timeout + 10 s), and the consumer's ack_wait is 3 s.
 */

import { DEMO_ITEMS } from '@interco/erpnext-sim';
import { LocalNatsServer } from '@interco/testkit';
import { testNamespace } from '@interco/testkit/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneDocumentPerMarker } from './harness/outcomes.js';
import { type Pipeline, type StepLogEntry, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

const TRANSFERS = 40;

let server: LocalNatsServer;
let pipeline: Pipeline;

/** What each pr_a replica logged, per transfer: started and published. */
const prA = new Map<number, { started: Set<string>; published: Set<string> }>();
const record = (index: number, entry: StepLogEntry) => {
  const seen = prA.get(index) ?? { started: new Set<string>(), published: new Set<string>() };
  prA.set(index, seen);
  const id = entry.transfer_id;
  if (id === undefined) return;
  if (entry.msg === 'making the Purchase Receipt documents') seen.started.add(id);
  if (entry.msg === 'pr_a.done published') seen.published.add(id);
};

beforeAll(async () => {
  server = await LocalNatsServer.start();
  pipeline = await startPipeline({
    natsUrl: server.url,
    namespace: testNamespace().subjectPrefix,
    replicas: 2,
    workerTimeoutMs: 3_000,
    writeTimeoutMs: 5_000,
    worker: { ackWaitMs: 3_000 },
    onStepLog: ({ step, index }, entry) => {
      if (step === 'pr_a') record(index, entry);
    },
  });
});

afterAll(async () => {
  await pipeline?.close();
  await server?.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two replicas of every step, one killed mid-call, nats-server restarted', () => {
  it('completes every transfer with one document per marker', async () => {
    const slow = [{ match: { writes_only: true }, latency_ms: 800 }];
    await Promise.all([pipeline.a.setRules(slow), pipeline.b.setRules(slow)]);

    const bodies = Array.from({ length: TRANSFERS }, (_, i) =>
      demoTransfer({ perItem: { [DEMO_ITEMS[i % DEMO_ITEMS.length] as string]: 2 } }),
    );
    const started = Date.now();
    const ids = await Promise.all(bodies.map((body) => pipeline.submit(body)));

    // Kill pr_a's replica 0 while it is in the middle of a write: it has started receipts it
    // has not published yet.
    const victim = pipeline.replicas.find((r) => r.step === 'pr_a' && r.index === 0);
    if (victim === undefined) throw new Error('no pr_a replica 0');
    const inFlight = () => {
      const seen = prA.get(0);
      return seen === undefined ? [] : [...seen.started].filter((id) => !seen.published.has(id));
    };
    const deadline = Date.now() + 30_000;
    while (inFlight().length === 0) {
      if (Date.now() > deadline) throw new Error('pr_a replica 0 never started a receipt');
      await sleep(20);
    }
    await sleep(200); // into the 800 ms write
    await victim.worker.stop();
    await victim.nc.close();
    const orphaned = inFlight();
    const killedAt = Date.now();
    await pipeline.startReplica('pr_a');

    // nats-server goes away and comes back (same port, same store) while work is under way.
    await sleep(1_000);
    const notDone = (await Promise.all(ids.map((id) => pipeline.state(id)))).filter(
      (s) => s?.status !== 'completed',
    );
    expect(notDone.length, 'transfers still under way when nats-server restarts').toBeGreaterThan(0);
    const restartAt = Date.now();
    await server.restart();
    const restartedMs = Date.now() - restartAt;

    const states = await pipeline.waitForAll(
      ids,
      (s) => s.status === 'completed' || s.status === 'failed',
      150_000,
    );
    const finished = Date.now();
    console.info(
      `replicas-and-restarts: ${TRANSFERS} transfers; pr_a replica 0 killed ${killedAt - started} ms in with ${orphaned.length} receipts in flight; nats-server down ${restartedMs} ms; all completed ${finished - started} ms after the first was sent`,
    );
    for (const state of states) expect(state.status, JSON.stringify(state.steps)).toBe('completed');

    // What the killed replica left in flight was finished by another replica.
    expect(orphaned.length).toBeGreaterThan(0);
    const others = [...prA.entries()].filter(([index]) => index !== 0);
    for (const id of orphaned) {
      expect(prA.get(0)?.published.has(id), id).toBe(false);
      expect(
        others.some(([, seen]) => seen.published.has(id)),
        id,
      ).toBe(true);
    }

    // No duplicates: one submitted document per marker, and no other document in the sites.
    await expectOneDocumentPerMarker(pipeline, ids, states);
    for (const id of ids) {
      const types = (await pipeline.events(id)).map((e) => e.type);
      expect(types.filter((t) => t.endsWith('.failed'))).toEqual([]);
      expect(types.filter((t) => t.endsWith('.done'))).toEqual([
        'po_a.done',
        'pr_a.done',
        'dn_a.done',
        'pr_b.done',
      ]);
    }
  });
});
