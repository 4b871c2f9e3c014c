/**
 * Issue 5: "A transfer of 20,000 serials completes in several documents per step; no event
 * exceeds 64 KB." The default chunking (at most 1,000 serials per document) gives 20 documents
 * per step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSerialsMoved, STEP_DOCUMENTS } from './harness/outcomes.js';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
});

afterAll(async () => {
  await pipeline?.close();
});

describe('a transfer of 20,000 serials', () => {
  it('completes in 20 documents per step, one per chunk, with every event under 64 KiB', async () => {
    const body = demoTransfer({ perItem: { 'PIN-001': 8_000, 'PIN-002': 7_000, 'SIM-001': 5_000 } });
    const serials = body.items.flatMap((item) => item.serials);
    expect(serials).toHaveLength(20_000);

    const started = Date.now();
    const id = await pipeline.submit(body);
    const accepted = Date.now();
    const state = await pipeline.waitFor(
      id,
      (s) => s.status === 'completed' || s.status === 'failed',
      240_000,
    );
    const finished = Date.now();
    expect(state.status, JSON.stringify(state.steps)).toBe('completed');

    const timings = STEP_DOCUMENTS.map(([step]) => {
      const { started_at, finished_at } = state.steps[step];
      return `${step} ${Date.parse(finished_at ?? '') - Date.parse(started_at ?? '')} ms`;
    });
    console.info(
      `large: POST ${accepted - started} ms, completed ${finished - started} ms after it was sent (${timings.join(', ')})`,
    );

    for (const [step, site, doctype] of STEP_DOCUMENTS) {
      const documents = state.steps[step].documents;
      expect(documents.length, step).toBe(20);
      expect(documents.map((d) => d.chunk)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(documents.reduce((sum, d) => sum + d.serial_count, 0)).toBe(20_000);
      for (const d of documents) expect(d.serial_count).toBeLessThanOrEqual(1_000);

      // Exactly one live document per chunk marker, and it is the one the step named.
      const { markers } = await pipeline[site].byMarker(doctype, [id]);
      expect(markers.size, step).toBe(20);
      for (const d of documents) {
        const docs = markers.get(`${id}:${step}:${d.chunk}`) ?? [];
        expect(
          docs.map((doc) => [doc.name, doc.docstatus]),
          `${step} chunk ${d.chunk}`,
        ).toEqual([[d.name, 1]]);
      }
    }
    // Nothing else was made: A holds 20 orders, 20 receipts and 20 notes; B 20 receipts.
    expect(await pipeline.a.documents('Purchase Order')).toHaveLength(20);
    expect(await pipeline.a.documents('Purchase Receipt')).toHaveLength(20);
    expect(await pipeline.a.documents('Delivery Note')).toHaveLength(20);
    expect(await pipeline.b.documents('Purchase Receipt')).toHaveLength(20);

    await expectSerialsMoved(pipeline, serials);

    // Every message of the transfer, as stored in the stream, is under 64 KiB; none names a serial.
    const raw = await pipeline.rawEvents(id);
    expect(raw.map((m) => m.type)).toEqual([
      'transfer.requested',
      'po_a.done',
      'pr_a.done',
      'dn_a.done',
      'pr_b.done',
    ]);
    for (const message of raw) expect(message.bytes, message.type).toBeLessThan(65_536);
    console.info(`large: event sizes ${raw.map((m) => `${m.type} ${m.bytes} B`).join(', ')}`);
    const text = JSON.stringify(await pipeline.events(id));
    for (const serial of serials.slice(0, 50)) expect(text).not.toContain(serial);
  });
});
