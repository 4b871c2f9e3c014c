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

  it('a failed trial opens it again', async () => {
    breaker = new InstanceBreaker('a', { volumeThreshold: 1, resetTimeout: 100 }, silentLogger);
    await expect(breaker.run('x', fail(502))).rejects.toBeDefined();
    await new Promise((r) => setTimeout(r, 150));
    expect(breaker.health().state).toBe('half-open');
    await expect(breaker.run('x', fail(502))).rejects.toMatchObject({ status: 502 });
    expect(breaker.health()).toMatchObject({ state: 'open', opened: 2 });
  });
});
