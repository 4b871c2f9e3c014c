import { findSamples, parseExposition, type Sample } from '@interco/metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { serialsOf, transferBody, uniquePrefix } from './test-support/requests.js';

let t: TestIntake;

beforeAll(async () => {
  t = await startTestIntake();
  await t.addInstance('erp-a');
  await t.addInstance('erp-b');
});
afterAll(async () => {
  await t?.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(`${t.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();
  return { text, samples: parseExposition(text) };
}

const submitted = (samples: Sample[]) =>
  Object.fromEntries(
    findSamples(samples, 'interco_transfers_submitted_total').map((s) => [s.labels.outcome, s.value]),
  );

describe('intake’s /metrics', () => {
  it('serves without a token: every submit outcome from 0, the lifecycle consumer, the build', async () => {
    const { samples } = await scrape();
    expect(submitted(samples)).toEqual({ accepted: 0, replayed: 0, rejected: 0, error: 0 });
    for (const name of ['interco_consumer_pending', 'interco_consumer_ack_pending']) {
      expect(findSamples(samples, name, { consumer: 'intake_lifecycle' })[0]?.value).toBeGreaterThanOrEqual(
        0,
      );
    }
    expect(
      findSamples(samples, 'interco_consumer_redeliveries_total', { consumer: 'intake_lifecycle' })[0]?.value,
    ).toBe(0);
    expect(findSamples(samples, 'interco_build_info', { service: 'intake' })).toHaveLength(1);
  });

  it('counts transfer requests by outcome, never with a transfer id, a key or a serial', async () => {
    const body = transferBody();
    const key = `key-${uniquePrefix()}`;
    const headers = { 'idempotency-key': key };
    const first = await t.call('POST', '/v1/transfers', { body, headers });
    expect(first.status).toBe(202);
    expect((await t.call('POST', '/v1/transfers', { body, headers })).status).toBe(202);
    expect((await t.call('POST', '/v1/transfers', { body: { nope: true } })).status).toBe(400);
    expect((await t.call('POST', '/v1/transfers', { body: transferBody(), token: null })).status).toBe(401);
    expect((await t.call('POST', '/v1/transfers', { body: transferBody(), headers })).status).toBe(409);

    const { text, samples } = await scrape();
    expect(submitted(samples)).toEqual({ accepted: 1, replayed: 1, rejected: 3, error: 0 });
    expect(text).not.toContain(String(first.body.transfer_id));
    expect(text).not.toContain(key);
    for (const serial of serialsOf(body)) expect(text).not.toContain(serial);
  });

  it('records the admin calls’ ERPNext requests by registered instance, and no breaker state', async () => {
    // erp-a's base URL answers nothing: each test is one failed ping (network).
    for (let i = 0; i < 2; i++) {
      const tested = await t.call('POST', '/v1/admin/instances/erp-a/test');
      expect(tested.status).toBe(200);
      expect(tested.body.ok).toBe(false);
    }
    // An id that is not registered builds no client: no series carries it.
    expect((await t.call('POST', '/v1/admin/instances/not-registered-x/test')).status).toBe(404);
    expect((await t.call('POST', '/v1/admin/instances/not-registered-x/prepare')).status).toBe(404);

    const { text, samples } = await scrape();
    expect(
      findSamples(samples, 'interco_erpnext_request_errors_total', {
        instance: 'erp-a',
        status: 'network',
        kind: 'transient',
        reason: 'network',
      })[0]?.value,
    ).toBe(2);
    expect(
      findSamples(samples, 'interco_erpnext_request_duration_seconds_count', {
        instance: 'erp-a',
        method: 'GET',
        operation: 'ping',
        status: 'network',
      })[0]?.value,
    ).toBe(2);
    // A client made for one admin call does not report a breaker (it would reset the gauge).
    expect(text).not.toContain('interco_erpnext_breaker_state');
    expect(text).not.toContain('not-registered-x');
  });
});
