import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  ERPNEXT_ERROR_KINDS,
  ERPNEXT_ERROR_REASONS,
  ERPNEXT_OPERATIONS,
  isErpnextStatusLabel,
  STEP_OUTCOMES,
} from './catalogue.js';
import { EXPOSITION_CONTENT_TYPE } from './exposition.js';
import { findSamples, parseExposition } from './parse.js';
import { ServiceMetrics } from './service-metrics.js';

const render = async (metrics: ServiceMetrics) => parseExposition((await metrics.render()).body);

describe('ServiceMetrics', () => {
  it('renders the text exposition with its content type, build info and the default process metrics', async () => {
    const metrics = new ServiceMetrics({ service: 'po-a', version: '1.2.3' });
    const answer = await metrics.render();
    expect(answer.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(answer.contentType).toBe(EXPOSITION_CONTENT_TYPE);
    const samples = parseExposition(answer.body);
    expect(findSamples(samples, 'interco_build_info')).toEqual([
      { name: 'interco_build_info', labels: { service: 'po-a', version: '1.2.3' }, value: 1 },
    ]);
    expect(findSamples(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
    expect(samples.some((sample) => sample.name.startsWith('nodejs_'))).toBe(true);
  });

  it('takes its version from INTERCO_VERSION, else from the package', () => {
    const before = process.env.INTERCO_VERSION;
    try {
      process.env.INTERCO_VERSION = '9.9.9-test';
      expect(new ServiceMetrics({ service: 'x', defaultMetrics: false }).version).toBe('9.9.9-test');
      delete process.env.INTERCO_VERSION;
      expect(new ServiceMetrics({ service: 'x', defaultMetrics: false }).version).toMatch(/^\d+\.\d+\.\d+/);
    } finally {
      if (before === undefined) delete process.env.INTERCO_VERSION;
      else process.env.INTERCO_VERSION = before;
    }
  });

  it('keeps each instance in its own registry (several services in one process)', async () => {
    const a = new ServiceMetrics({ service: 'pr-a', defaultMetrics: false });
    const b = new ServiceMetrics({ service: 'pr-b', defaultMetrics: false });
    a.stepHandled('pr_a', 'done', 0.2);
    const samplesA = await render(a);
    const samplesB = await render(b);
    expect(findSamples(samplesA, 'interco_step_messages_total', { step: 'pr_a' })).toHaveLength(1);
    expect(findSamples(samplesB, 'interco_step_messages_total')).toHaveLength(0);
    expect(findSamples(samplesB, 'interco_build_info', { service: 'pr-b' })).toHaveLength(1);
  });

  it('lists only the series a service records (registered on first use)', async () => {
    const metrics = new ServiceMetrics({ service: 'intake', defaultMetrics: false });
    const before = (await metrics.render()).body;
    expect(before).not.toContain('interco_step_duration_seconds');
    expect(before).not.toContain('interco_transfers_submitted_total');
    metrics.transferSubmitted('accepted');
    const after = (await metrics.render()).body;
    expect(after).toContain('# TYPE interco_transfers_submitted_total counter');
    expect(after).not.toContain('interco_step_duration_seconds');
  });

  it('records a step message as a counter and a histogram, by step and outcome', async () => {
    const metrics = new ServiceMetrics({ service: 'dn-a', defaultMetrics: false });
    metrics.stepHandled('dn_a', 'done', 0.3);
    metrics.stepHandled('dn_a', 'done', 4);
    metrics.stepHandled('dn_a', 'waiting', 0.02);
    const samples = await render(metrics);
    expect(
      findSamples(samples, 'interco_step_messages_total', { step: 'dn_a', outcome: 'done' })[0]?.value,
    ).toBe(2);
    expect(
      findSamples(samples, 'interco_step_duration_seconds_count', { step: 'dn_a', outcome: 'done' })[0]
        ?.value,
    ).toBe(2);
    expect(
      findSamples(samples, 'interco_step_duration_seconds_sum', { step: 'dn_a', outcome: 'done' })[0]?.value,
    ).toBeCloseTo(4.3);
    expect(
      findSamples(samples, 'interco_step_duration_seconds_bucket', {
        step: 'dn_a',
        outcome: 'done',
        le: '0.5',
      })[0]?.value,
    ).toBe(1);
    expect(
      findSamples(samples, 'interco_step_messages_total', { step: 'dn_a', outcome: 'waiting' })[0]?.value,
    ).toBe(1);
  });

  it('records ERPNext requests, errors and breaker states', async () => {
    const metrics = new ServiceMetrics({ service: 'po-a', defaultMetrics: false });
    metrics.erpnextRequest(
      { instance: 'company-a', method: 'POST', operation: 'insert', status: '200' },
      0.1,
    );
    metrics.erpnextRequest({ instance: 'company-a', method: 'GET', operation: 'get', status: 'timeout' }, 5);
    metrics.erpnextError({ instance: 'company-a', status: 'timeout', kind: 'transient', reason: 'timeout' });
    metrics.breakerState('company-a', 'closed');
    metrics.breakerState('company-b', 'half-open');
    metrics.breakerState('company-b', 'open');
    const samples = await render(metrics);
    expect(
      findSamples(samples, 'interco_erpnext_request_duration_seconds_count', {
        instance: 'company-a',
        method: 'POST',
        operation: 'insert',
        status: '200',
      })[0]?.value,
    ).toBe(1);
    expect(
      findSamples(samples, 'interco_erpnext_request_errors_total', {
        kind: 'transient',
        reason: 'timeout',
      })[0]?.value,
    ).toBe(1);
    expect(findSamples(samples, 'interco_erpnext_breaker_state', { instance: 'company-a' })[0]?.value).toBe(
      0,
    );
    expect(findSamples(samples, 'interco_erpnext_breaker_state', { instance: 'company-b' })[0]?.value).toBe(
      2,
    );
    // A client gone: its series goes, the others stay.
    metrics.breakerStateRemoved('company-b');
    metrics.breakerStateRemoved('never-seen');
    const after = await render(metrics);
    expect(findSamples(after, 'interco_erpnext_breaker_state').map((s) => s.labels.instance)).toEqual([
      'company-a',
    ]);
    new ServiceMetrics({ service: 'intake', defaultMetrics: false }).breakerStateRemoved('company-a');
  });

  it('sets every transfer status given, zero included', async () => {
    const metrics = new ServiceMetrics({ service: 'tracker', defaultMetrics: false });
    metrics.setTransfers({ running: 2, completed: 0 });
    metrics.setTransfers({ running: 0, completed: 3 });
    const samples = await render(metrics);
    expect(findSamples(samples, 'interco_transfers').map((s) => [s.labels.status, s.value])).toEqual([
      ['running', 0],
      ['completed', 3],
    ]);
  });

  it('runs the scrape refreshers before rendering; a failing or slow one does not hold the scrape up', async () => {
    const errors: unknown[] = [];
    const metrics = new ServiceMetrics({
      service: 'tracker',
      defaultMetrics: false,
      refreshTimeoutMs: 50,
      onRefreshError: (error) => errors.push(error),
    });
    let pending = 0;
    const stop = metrics.onScrape(async () => {
      pending += 5;
      metrics.consumerCounts('tracker', { pending, ackPending: 1 });
    });
    metrics.onScrape(() => {
      throw new Error('consumer info failed');
    });
    metrics.onScrape(() => new Promise(() => {}));
    let samples = await render(metrics);
    expect(findSamples(samples, 'interco_consumer_pending', { consumer: 'tracker' })[0]?.value).toBe(5);
    expect(findSamples(samples, 'interco_consumer_ack_pending', { consumer: 'tracker' })[0]?.value).toBe(1);
    expect(errors).toHaveLength(2);
    samples = await render(metrics);
    expect(findSamples(samples, 'interco_consumer_pending')[0]?.value).toBe(10);
    stop();
    samples = await render(metrics);
    expect(findSamples(samples, 'interco_consumer_pending')[0]?.value).toBe(10);
  });

  it('counts redeliveries by consumer', async () => {
    const metrics = new ServiceMetrics({ service: 'pr-b', defaultMetrics: false });
    metrics.consumerRedelivered('step_pr_b');
    metrics.consumerRedelivered('step_pr_b');
    const samples = await render(metrics);
    expect(
      findSamples(samples, 'interco_consumer_redeliveries_total', { consumer: 'step_pr_b' })[0]?.value,
    ).toBe(2);
  });
});

describe('the catalogue', () => {
  it('names every series interco_* with snake-case label names, once each', () => {
    const definitions = Object.values(CATALOGUE);
    expect(new Set(definitions.map((d) => d.name)).size).toBe(definitions.length);
    for (const definition of definitions) {
      expect(definition.name).toMatch(/^interco_[a-z_]+$/);
      for (const label of definition.labels) expect(label).toMatch(/^[a-z_]+$/);
      if (definition.type === 'counter') expect(definition.name).toMatch(/_total$/);
      if (definition.type === 'histogram') expect(definition.buckets?.length).toBeGreaterThan(5);
    }
    expect(STEP_OUTCOMES).toContain('done');
  });

  it('gives the bounded sets of label values', () => {
    expect(ERPNEXT_OPERATIONS).toContain('other');
    expect(new Set(ERPNEXT_ERROR_REASONS).size).toBe(ERPNEXT_ERROR_REASONS.length);
    expect(ERPNEXT_ERROR_KINDS).toEqual(['transient', 'conflict', 'permanent', 'auth']);
    for (const status of ['200', '429', '503', 'network', 'timeout', 'breaker_open', 'client_error']) {
      expect(isErpnextStatusLabel(status), status).toBe(true);
    }
    for (const status of ['unknown', '2000', '99', 'PIN-1234', '']) {
      expect(isErpnextStatusLabel(status), status).toBe(false);
    }
  });
});
