/**
 * Issue 5: "200 transfers in parallel with the simulator injecting 10% 503s, 5% deadlocks, 5%
 * commit-then-drop and 2% slow commits on every write: all complete; zero duplicate documents."
 */
import { DEMO_ITEMS } from '@interco/erpnext-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneDocumentPerMarker, expectSerialsMoved } from './harness/outcomes.js';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

let pipeline: Pipeline;
/** How the steps reached their documents (insertOnce's `via`), from their logs. */
const via = new Map<string, number>();

beforeAll(async () => {
  pipeline = await startPipeline({
    onStepLog: (_replica, entry) => {
      if (typeof entry.via === 'string') via.set(entry.via, (via.get(entry.via) ?? 0) + 1);
    },
  });
});

afterAll(async () => {
  await pipeline?.close();
});

const TRANSFERS = 200;

describe(`${TRANSFERS} transfers in parallel with faults on every write`, () => {
  it('all complete, with exactly one document per marker', async () => {
    const faults = [
      {
        match: { writes_only: true },
        error_rates: { '503': 0.1, deadlock: 0.05 },
        commit_then_drop: 0.05,
        // Slow, but within the write timeout (12 s) and the worker timeout (10 s).
        slow_commit_ms: 3_000,
        slow_commit_rate: 0.02,
      },
    ];
    await Promise.all([pipeline.a.setRules(faults), pipeline.b.setRules(faults)]);

    const bodies = Array.from({ length: TRANSFERS }, (_, i) =>
      demoTransfer({ perItem: { [DEMO_ITEMS[i % DEMO_ITEMS.length] as string]: 2 + (i % 2) } }),
    );
    const started = Date.now();
    const ids = await Promise.all(bodies.map((body) => pipeline.submit(body)));
    const accepted = Date.now();
    expect(new Set(ids).size).toBe(TRANSFERS);

    const states = await pipeline.waitForAll(
      ids,
      (s) => s.status === 'completed' || s.status === 'failed',
      240_000,
    );
    const finished = Date.now();
    const failed = states.filter((s) => s.status !== 'completed');
    expect(
      failed.map((s) => ({
        id: s.transfer_id,
        step: s.failed_step,
        error: s.failed_step && s.steps[s.failed_step].last_error,
      })),
    ).toEqual([]);

    const [requestsA, requestsB] = await Promise.all([pipeline.a.requests(), pipeline.b.requests()]);
    const writes = (await pipeline.a.writes()) + (await pipeline.b.writes());
    console.info(
      `load-with-faults: ${TRANSFERS} accepted in ${accepted - started} ms, all completed ${finished - started} ms after the first was sent; ${writes} writes for ${TRANSFERS * 4} documents; requests A ${requestsA.total}, B ${requestsB.total}; documents reached via ${JSON.stringify(Object.fromEntries(via))}`,
    );
    // The faults did happen: more writes were sent than documents made.
    expect(writes).toBeGreaterThan(TRANSFERS * 4);
    // Answers lost after a commit (commit-then-drop) were resolved by looking the marker up.
    expect(via.get('outcome_unknown') ?? 0).toBeGreaterThan(0);

    await Promise.all([pipeline.a.setRules(), pipeline.b.setRules()]);
    await expectOneDocumentPerMarker(pipeline, ids, states);
    await expectSerialsMoved(
      pipeline,
      bodies.flatMap((body) => body.items.flatMap((item) => item.serials)),
    );
  });
});
