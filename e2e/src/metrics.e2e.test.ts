/**
 * /metrics on every service after a transfer ran through the whole pipeline (po-a's first
 * requests rate limited, so that errors, retries and redeliveries show): every series of the catalogue (docs/running.md) is there with sensible values, and no
 * body carries a transfer id, a serial, a document name, a token or a credential.
 */
import { STEPS, type Step, TransferStatus } from '@interco/contracts';
import {
  BREAKER_STATE_VALUES,
  CATALOGUE,
  ERPNEXT_ERROR_KINDS,
  ERPNEXT_ERROR_REASONS,
  ERPNEXT_METHODS,
  ERPNEXT_OPERATIONS,
  findSamples,
  isErpnextStatusLabel,
  parseExposition,
  type Sample,
  STEP_OUTCOMES,
  SUBMIT_OUTCOMES,
} from '@interco/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline({ trackerCountIntervalMs: 500 });
});

afterAll(async () => {
  await pipeline?.close();
});

interface Scraped {
  readonly service: string;
  readonly text: string;
  readonly samples: Sample[];
}

async function scrape(service: string, baseUrl: string): Promise<Scraped> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status, `${service} /metrics`).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();
  return { service, text, samples: parseExposition(text) };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  findSamples(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('/metrics on every service after a transfer', () => {
  it('has every series of the catalogue with sensible values, and nothing sensitive', async () => {
    const tracker = pipeline.tracker;
    if (tracker === undefined) throw new Error('the pipeline runs without its tracker');
    // po-a's first twelve requests about the Purchase Order answer 429 (Retry-After: 0): more than
    // a read's four attempts, so its first try fails transiently, the message comes again and the
    // step retries (429s do not count against the breaker).
    await pipeline.a.setRules([
      {
        match: { doctype: 'Purchase Order', http_method: 'POST' },
        error_rates: { '429': 1 },
        retry_after_s: 0,
        times: 12,
      },
    ]);
    const body = demoTransfer();
    const id = await pipeline.submit(body);
    const state = await pipeline.waitFor(id, (s) => s.status === 'completed' || s.status === 'failed');
    expect(state.status, JSON.stringify(state.steps)).toBe('completed');

    // The tracker counts its read model at most every 500 ms here (5 s by default).
    let trackerMetrics = await scrape('tracker', tracker.url);
    const deadline = Date.now() + 30_000;
    while (value(trackerMetrics.samples, 'interco_transfers', { status: 'completed' }) < 1) {
      if (Date.now() > deadline) throw new Error('the tracker never counted the transfer completed');
      await sleep(250);
      trackerMetrics = await scrape('tracker', tracker.url);
    }
    const intakeMetrics = await scrape('intake', pipeline.intake.url);
    const stepMetrics = new Map<Step, Scraped>();
    for (const replica of pipeline.replicas) {
      stepMetrics.set(replica.step, await scrape(replica.step, replica.health.url));
    }
    const all = [intakeMetrics, trackerMetrics, ...stepMetrics.values()];

    // Every process: its build, the process and Node.js metrics.
    const services = new Map<string, string>([
      ['intake', 'intake'],
      ['tracker', 'tracker'],
      ['po_a', 'po-a'],
      ['pr_a', 'pr-a'],
      ['dn_a', 'dn-a'],
      ['pr_b', 'pr-b'],
    ]);
    for (const scraped of all) {
      const [build] = findSamples(scraped.samples, 'interco_build_info');
      expect(build?.labels.service).toBe(services.get(scraped.service));
      expect(build?.value).toBe(1);
      expect(value(scraped.samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(findSamples(scraped.samples, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
    }

    // Every series of the catalogue is served by some service.
    const names = new Set(all.flatMap((scraped) => scraped.samples.map((sample) => sample.name)));
    for (const definition of Object.values(CATALOGUE)) {
      const expected = definition.type === 'histogram' ? `${definition.name}_count` : definition.name;
      expect(names, `${definition.name} is served`).toContain(expected);
    }

    // intake: the request accepted, every outcome listed; its lifecycle consumer.
    const submitted = Object.fromEntries(
      findSamples(intakeMetrics.samples, 'interco_transfers_submitted_total').map((s) => [
        s.labels.outcome,
        s.value,
      ]),
    );
    expect(submitted).toEqual({ accepted: 1, replayed: 0, rejected: 0, error: 0 });
    expect(
      findSamples(intakeMetrics.samples, 'interco_consumer_pending', { consumer: 'intake_lifecycle' }),
    ).toHaveLength(1);

    // The steps: each handled its message (done), timed; its consumer's gauges; its instance.
    for (const step of STEPS) {
      const scraped = stepMetrics.get(step);
      if (scraped === undefined) throw new Error(`no replica of ${step}`);
      const { samples } = scraped;
      const done = { step, outcome: 'done' };
      expect(value(samples, 'interco_step_messages_total', done), step).toBeGreaterThanOrEqual(1);
      expect(value(samples, 'interco_step_duration_seconds_count', done), step).toBeGreaterThanOrEqual(1);
      expect(value(samples, 'interco_step_duration_seconds_sum', done), step).toBeGreaterThan(0);
      expect(value(samples, 'interco_step_duration_seconds_count')).toBe(
        value(samples, 'interco_step_messages_total'),
      );
      const consumer = `step_${step}`;
      expect(findSamples(samples, 'interco_consumer_pending', { consumer })[0]?.value).toBe(0);
      expect(
        findSamples(samples, 'interco_consumer_ack_pending', { consumer })[0]?.value,
      ).toBeGreaterThanOrEqual(0);
      expect(findSamples(samples, 'interco_consumer_redeliveries_total', { consumer })).toHaveLength(1);
      const instance = step === 'pr_b' ? 'company-b' : 'company-a';
      expect(
        value(samples, 'interco_erpnext_request_duration_seconds_count', { instance, status: '200' }),
        step,
      ).toBeGreaterThanOrEqual(1);
      expect(findSamples(samples, 'interco_erpnext_breaker_state', { instance })[0]?.value).toBe(0);
    }
    // The 429s of po-a: each an error and a request by status, a retry (or waiting), a redelivery.
    const poA = stepMetrics.get('po_a')?.samples ?? [];
    expect(
      value(poA, 'interco_erpnext_request_errors_total', {
        instance: 'company-a',
        status: '429',
        kind: 'transient',
        reason: 'rate_limited',
      }),
    ).toBe(12);
    expect(
      value(poA, 'interco_erpnext_request_duration_seconds_count', {
        instance: 'company-a',
        method: 'POST',
        status: '429',
      }),
    ).toBe(12);
    expect(
      value(poA, 'interco_step_messages_total', { step: 'po_a', outcome: 'retry' }) +
        value(poA, 'interco_step_messages_total', { step: 'po_a', outcome: 'waiting' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(poA, 'interco_consumer_redeliveries_total', { consumer: 'step_po_a' }),
    ).toBeGreaterThanOrEqual(1);
    // Both instances' requests are timed.
    const stepSamples = [...stepMetrics.values()].flatMap((scraped) => scraped.samples);
    for (const instance of ['company-a', 'company-b']) {
      expect(
        value(stepSamples, 'interco_erpnext_request_duration_seconds_count', { instance }),
      ).toBeGreaterThan(0);
    }

    // The tracker: every status (0 included), the transfer completed; its consumer.
    const byStatus = Object.fromEntries(
      findSamples(trackerMetrics.samples, 'interco_transfers').map((s) => [s.labels.status, s.value]),
    );
    expect(Object.keys(byStatus).sort()).toEqual(TransferStatus.anyOf.map((literal) => literal.const).sort());
    expect(byStatus.completed).toBeGreaterThanOrEqual(1);
    expect(byStatus.failed).toBe(0);
    expect(
      findSamples(trackerMetrics.samples, 'interco_consumer_pending', { consumer: 'tracker' }),
    ).toHaveLength(1);
    expect(
      findSamples(trackerMetrics.samples, 'interco_consumer_ack_pending', { consumer: 'tracker' }),
    ).toHaveLength(1);
    expect(
      findSamples(trackerMetrics.samples, 'interco_consumer_redeliveries_total', { consumer: 'tracker' }),
    ).toHaveLength(1);

    // Nothing sensitive in any body: no transfer id, serial, document name, token or credential.
    const documents = STEPS.flatMap((step) => state.steps[step].documents.map((doc) => doc.name));
    expect(documents).toHaveLength(4);
    const secrets = [
      id,
      ...body.items.flatMap((item) => item.serials),
      ...documents,
      pipeline.admin,
      pipeline.a.apiKey,
      pipeline.a.apiSecret,
      pipeline.b.apiKey,
      pipeline.b.apiSecret,
    ];
    for (const scraped of all) {
      for (const secret of secrets) expect(scraped.text, `${scraped.service} /metrics`).not.toContain(secret);
    }
    // Every label of every interco_* series takes its values from a bounded set (those of
    // @interco/metrics, the steps, the statuses, the instances of this pipeline): a label with no
    // set here fails, so a new label must come with its bound.
    const among =
      (values: readonly string[]) =>
      (v: string): boolean =>
        values.includes(v);
    const transferStatuses = TransferStatus.anyOf.map((literal) => literal.const as string);
    const isBreakerState = (v: number) => (Object.values(BREAKER_STATE_VALUES) as number[]).includes(v);
    const allowed: Record<string, (value: string, name: string) => boolean> = {
      service: among([...services.values()]),
      version: (v, name) => name === 'interco_build_info' && v.length > 0,
      step: among(STEPS),
      instance: among(['company-a', 'company-b']),
      consumer: among(['intake_lifecycle', 'tracker', ...STEPS.map((s) => `step_${s}`)]),
      method: among(ERPNEXT_METHODS),
      operation: among(ERPNEXT_OPERATIONS),
      kind: among(ERPNEXT_ERROR_KINDS),
      reason: among(ERPNEXT_ERROR_REASONS),
      outcome: (v, name) =>
        among(name === 'interco_transfers_submitted_total' ? SUBMIT_OUTCOMES : STEP_OUTCOMES)(v),
      status: (v, name) =>
        name === 'interco_transfers' ? transferStatuses.includes(v) : isErpnextStatusLabel(v),
      le: (v, name) => name.endsWith('_bucket') && (v === '+Inf' || Number.isFinite(Number(v))),
    };
    let checked = 0;
    for (const scraped of all) {
      for (const sample of scraped.samples) {
        if (!sample.name.startsWith('interco_')) continue;
        for (const [label, labelValue] of Object.entries(sample.labels)) {
          const where = `${scraped.service}: ${sample.name}{${label}="${labelValue}"}`;
          const check = allowed[label];
          expect(check, `${where}: a label without a bounded set`).toBeDefined();
          expect(check?.(labelValue, sample.name), where).toBe(true);
          checked++;
        }
        if (sample.name === 'interco_erpnext_breaker_state') expect(isBreakerState(sample.value)).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
