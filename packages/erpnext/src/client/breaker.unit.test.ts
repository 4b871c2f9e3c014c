import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../errors/classify.js';
import type { ErpnextError } from '../errors/erpnext-error.js';
import { InstanceBreaker } from './breaker.js';
import { silentLogger } from './logger.js';

const context = { instanceId: 'a', operation: 'get Item' };
const fail = (status: number) => () =>
  Promise.reject(classify({ type: 'response', status, body: '{"exc_type":"X"}' }, context));
const ok = () => Promise.resolve('ok');

describe('InstanceBreaker', () => {
  let breaker: InstanceBreaker;
  afterEach(() => breaker.shutdown());

  it('4xx answers (permanent, conflict, auth) never count as failures', async () => {
    breaker = new InstanceBreaker('a', { volumeThreshold: 2, resetTimeout: 1_000 }, silentLogger);
    for (const status of [417, 404, 409, 401, 403, 417, 417]) {
      await expect(breaker.run('x', fail(status))).rejects.toMatchObject({ status });
    }
    expect(breaker.health()).toMatchObject({ state: 'closed', window: { failures: 0, fires: 7 } });
  });

  it('429 and 408 (transient for the caller) never count as failures either', async () => {
    breaker = new InstanceBreaker('a', { volumeThreshold: 2, resetTimeout: 1_000 }, silentLogger);
    for (const status of [429, 429, 408, 429, 408, 429]) {
      await expect(breaker.run('x', fail(status))).rejects.toMatchObject({ status, kind: 'transient' });
    }
    expect(breaker.health()).toMatchObject({ state: 'closed', window: { failures: 0, fires: 6 } });
  });

  it('network failures and 5xx answers count', async () => {
    breaker = new InstanceBreaker('a', { volumeThreshold: 4, resetTimeout: 1_000 }, silentLogger);
    const dropped = () =>
      Promise.reject(
        classify(
          { type: 'failure', error: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) },
          context,
        ),
      );
    await expect(breaker.run('x', dropped)).rejects.toMatchObject({ reason: 'network' });
    for (const status of [502, 503, 504]) await expect(breaker.run('x', fail(status))).rejects.toBeDefined();
    expect(breaker.health()).toMatchObject({ state: 'open', window: { failures: 4 } });
  });

  it('transient failures open it; open, it refuses at once with breaker_open and when it half-opens', async () => {
    breaker = new InstanceBreaker('a', { volumeThreshold: 3, resetTimeout: 200 }, silentLogger);
    for (let i = 0; i < 3; i++)
      await expect(breaker.run('x', fail(503))).rejects.toMatchObject({ status: 503 });
    const health = breaker.health();
    expect(health.state).toBe('open');
    expect(health.opened).toBe(1);
    let called = false;
    const refused = (await breaker
      .run('get Item', async () => {
        called = true;
      })
      .catch((e: unknown) => e)) as ErpnextError;
    expect(called).toBe(false);
    expect([refused.kind, refused.reason]).toEqual(['transient', 'breaker_open']);
    expect(refused.retryAfterMs).toBeGreaterThan(100);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 250));
    expect(breaker.health().state).toBe('half-open');
    expect(await breaker.run('x', ok)).toBe('ok');
    expect(breaker.health().state).toBe('closed');
  });

  it('a call once the half-open is due, before the reset timer has fired (busy event loop), is the trial', async () => {
    breaker = new InstanceBreaker('a', { volumeThreshold: 1, resetTimeout: 50 }, silentLogger);
    await expect(breaker.run('x', fail(502))).rejects.toMatchObject({ status: 502 });
    expect(breaker.refusing).toBe(true);
    // keep the event loop busy past the reset timeout: opossum's timer cannot fire meanwhile
    const until = Date.now() + 80;
    let spins = 0;
    while (Date.now() < until) spins++;
    expect(spins).toBeGreaterThan(0);
    expect(breaker.health().state).toBe('open');
    expect(breaker.refusing).toBe(false);
    expect(await breaker.run('x', ok)).toBe('ok');
    expect(breaker.health()).toMatchObject({ state: 'closed', refused: 0 });
  });

  it('a failed trial opens it again', async () => {
    breaker = new InstanceBreaker('a', { volumeThreshold: 1, resetTimeout: 100 }, silentLogger);
    await expect(breaker.run('x', fail(502))).rejects.toBeDefined();
    await new Promise((r) => setTimeout(r, 150));
    expect(breaker.health().state).toBe('half-open');
    await expect(breaker.run('x', fail(502))).rejects.toMatchObject({ status: 502 });
    expect(breaker.health()).toMatchObject({ state: 'open', opened: 2 });
  });
});
