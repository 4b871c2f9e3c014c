import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import { freePort } from '@interco/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErpnextError } from '../errors/erpnext-error.js';
import { rejection as rejectionOf } from '../test-support/rejection.js';
import { SimSite, sleep } from '../test-support/sim-site.js';
import { ErpnextClient, type ErpnextClientOptions } from './erpnext-client.js';
import { operationLabel } from './metrics.js';

// What the client records in the metrics against a simulated site: every request with its
// duration, method, operation and status; every failure by kind and reason; the breaker's state
// only through onBreakerState (given by whoever keeps the client, never by a one-call client).

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, ErpnextError);

describe('ErpnextClient metrics', () => {
  let site: SimSite;
  let metrics: ServiceMetrics;
  const clients: ErpnextClient[] = [];
  const make = (overrides: Parameters<SimSite['config']>[0] = {}, options: ErpnextClientOptions = {}) => {
    const client = new ErpnextClient(site.config(overrides), {
      retry: { maxAttempts: 1 },
      metrics,
      ...options,
    });
    clients.push(client);
    return client;
  };
  const samples = async () => parseExposition((await metrics.render()).body);
  beforeAll(async () => {
    site = await SimSite.start();
  });
  beforeEach(async () => {
    await site.reset();
    metrics = new ServiceMetrics({ service: 'test', defaultMetrics: false });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => site.close());

  it('records each request by instance, method, operation verb and HTTP status', async () => {
    const client = make({ id: 'company-a' });
    await client.ping();
    await client.get('Supplier', 'Proveedor de Pines SA');
    await client.list('Serial No', { filters: { name: ['in', ['PIN-SECRET-1']] } });
    const error = await rejection(client.get('Supplier', 'No Such Supplier'));
    expect(error.reason).toBe('not_found');

    const all = await samples();
    const count = (labels: Record<string, string>) =>
      findSamples(all, 'interco_erpnext_request_duration_seconds_count', {
        instance: 'company-a',
        ...labels,
      })[0]?.value;
    expect(count({ method: 'GET', operation: 'ping', status: '200' })).toBe(1);
    expect(count({ method: 'GET', operation: 'get', status: '200' })).toBe(1);
    expect(count({ method: 'POST', operation: 'list', status: '200' })).toBe(1);
    expect(count({ method: 'GET', operation: 'get', status: '404' })).toBe(1);
    expect(
      findSamples(all, 'interco_erpnext_request_errors_total', {
        instance: 'company-a',
        status: '404',
        kind: 'permanent',
        reason: 'not_found',
      })[0]?.value,
    ).toBe(1);
    // Never a document name, a doctype or a serial in a label.
    const body = (await metrics.render()).body;
    expect(body).not.toContain('Proveedor');
    expect(body).not.toContain('Supplier');
    expect(body).not.toContain('PIN-SECRET-1');
    // No onBreakerState: no breaker series (a client made for one call does not report it).
    expect(body).not.toContain('interco_erpnext_breaker_state');
  });

  it('records a network failure by reason, and the breaker opening, refusing and closing', async () => {
    const breaker = { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeout: 400 };
    const states: string[] = [];
    const client = make(
      { id: 'company-b' },
      {
        breaker,
        onBreakerState: (state) => {
          states.push(state);
          metrics.breakerState('company-b', state);
        },
      },
    );
    expect(states).toEqual(['closed']);
    await site.setFaults({ rules: [{ error_rates: { '503': 1 } }] });
    for (let i = 0; i < 3; i++) await rejection(client.ping());
    expect(client.health().breaker.state).toBe('open');
    let all = await samples();
    expect(findSamples(all, 'interco_erpnext_breaker_state', { instance: 'company-b' })[0]?.value).toBe(2);
    expect((await rejection(client.ping())).reason).toBe('breaker_open');
    all = await samples();
    // A refusal never reached the site: a failure, but no request duration (not a 0 s sample).
    expect(
      findSamples(all, 'interco_erpnext_request_duration_seconds_count', { instance: 'company-b' }).map(
        (sample) => [sample.labels.status, sample.value],
      ),
    ).toEqual([['503', 3]]);
    expect(
      findSamples(all, 'interco_erpnext_request_errors_total', {
        status: '503',
        kind: 'transient',
        reason: 'unavailable',
      })[0]?.value,
    ).toBe(3);
    expect(
      findSamples(all, 'interco_erpnext_request_errors_total', {
        status: 'breaker_open',
        kind: 'transient',
      })[0]?.value,
    ).toBe(1);

    await site.setFaults({});
    await sleep(500);
    expect(client.health().breaker.state).toBe('half-open');
    expect(
      findSamples(await samples(), 'interco_erpnext_breaker_state', { instance: 'company-b' })[0]?.value,
    ).toBe(1);
    await client.ping();
    expect(
      findSamples(await samples(), 'interco_erpnext_breaker_state', { instance: 'company-b' })[0]?.value,
    ).toBe(0);
    expect(states).toEqual(['closed', 'open', 'half-open', 'closed']);

    const down = make({ id: 'down', base_url: `http://127.0.0.1:${await freePort()}` });
    expect((await rejection(down.ping())).reason).toBe('network');
    expect(
      findSamples(await samples(), 'interco_erpnext_request_errors_total', {
        instance: 'down',
        status: 'network',
        kind: 'transient',
      })[0]?.value,
    ).toBe(1);
  });
});

describe('operationLabel', () => {
  it('keeps the verb only', () => {
    expect(operationLabel('insert Purchase Order')).toBe('insert');
    expect(operationLabel('call frappe.client.get_list')).toBe('call');
    expect(operationLabel('get_single Buying Settings')).toBe('get_single');
    expect(operationLabel('ping')).toBe('ping');
    expect(operationLabel('PIN-1234 something')).toBe('other');
  });
});
