/**
 * Issue 5: "ERPNext down for longer than the breaker's window: transfers show `waiting`, then
 * complete when it is back, without being failed."
 *
 * pr-b starts with no replica, so the transfers stop after dn_a.done (po-a's preflight has read
 * both sites by then). Site B then answers 503 to everything, pr-b starts, and it keeps
 * answering 503 for longer than the breaker's 10 s window, until pr-b reports the breaker open.
 * Then B is back.
 */
import type { IntercoEvent } from '@interco/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline({ stepReplicas: { pr_b: 0 } });
});

afterAll(async () => {
  await pipeline?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The breaker's statistics window (DEFAULT_BREAKER_OPTIONS.rollingCountTimeout). */
const BREAKER_WINDOW_MS = 10_000;

describe('site B down for longer than the breaker’s window', () => {
  it('shows pr_b waiting, then completes when B is back, with no failure', async () => {
    const ids = await Promise.all(
      Array.from({ length: 3 }, () => pipeline.submit(demoTransfer({ perItem: { 'PIN-001': 2 } }))),
    );
    await pipeline.waitForAll(ids, (s) => s.steps.dn_a.status === 'done' || s.status === 'failed');

    await pipeline.b.setRules([{ error_rates: { '503': 1 } }]);
    const downAt = Date.now();
    await pipeline.startReplica('pr_b');

    const waiting = await pipeline.waitForAll(
      ids,
      (s) => s.status === 'waiting' || s.status === 'failed',
      30_000,
    );
    for (const state of waiting) {
      expect(state.status, JSON.stringify(state.steps.pr_b)).toBe('waiting');
      expect(state.current_step).toBe('pr_b');
      expect(state.steps.pr_b.status).toBe('waiting');
      expect(state.steps.pr_b.waiting?.reason).toMatch(/^(maintenance|breaker_open)$/);
      expect(Date.parse(state.steps.pr_b.waiting?.next_attempt_at ?? '')).toBeGreaterThan(downAt);
    }

    // Down past the breaker's window, until pr-b says its breaker is open (calls refused
    // without reaching B).
    const reasons = async () =>
      new Set(
        (await Promise.all(ids.map((id) => pipeline.events(id))))
          .flat()
          .filter((e): e is Extract<IntercoEvent, { type: 'pr_b.waiting' }> => e.type === 'pr_b.waiting')
          .map((e) => e.data.reason),
      );
    const deadline = Date.now() + 60_000;
    while (Date.now() - downAt < BREAKER_WINDOW_MS + 2_000 || !(await reasons()).has('breaker_open')) {
      if (Date.now() > deadline)
        throw new Error(`pr-b never reported an open breaker: ${[...(await reasons())]}`);
      await sleep(500);
    }
    for (const id of ids) expect((await pipeline.state(id))?.status).toBe('waiting');
    expect(await pipeline.b.documents('Purchase Receipt')).toEqual([]);

    await pipeline.b.setRules();
    const upAt = Date.now();
    // The breaker half-opens 30 s after it opened; the next attempt is then the trial call.
    const finished = await pipeline.waitForAll(
      ids,
      (s) => s.status === 'completed' || s.status === 'failed',
      90_000,
    );
    const downMs = upAt - downAt;
    const recoveredMs = Date.now() - upAt;
    console.info(`breaker-waiting: B down ${downMs} ms; all complete ${recoveredMs} ms after it came back`);

    for (const [i, state] of finished.entries()) {
      const id = ids[i] as string;
      expect(state.status, JSON.stringify(state.steps.pr_b)).toBe('completed');
      const events = await pipeline.events(id);
      expect(events.filter((e) => e.type.endsWith('.failed'))).toEqual([]);
      expect(events.filter((e) => e.type === 'pr_b.waiting').length).toBeGreaterThanOrEqual(1);
      expect(events.at(-1)?.type).toBe('pr_b.done');
      const receipts = await pipeline.b.documentsOf('Purchase Receipt', id);
      expect(receipts.map((d) => d.docstatus)).toEqual([1]);
      expect(state.steps.pr_b.documents.map((d) => d.name)).toEqual([receipts[0]?.name]);
    }
    expect(await pipeline.b.documents('Purchase Receipt')).toHaveLength(ids.length);
  });
});
