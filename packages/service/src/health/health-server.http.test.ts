import { request } from 'node:http';
import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import {
  type HealthServer,
  type HealthServerOptions,
  type ReadyCheck,
  startHealthServer,
} from './health-server.js';

const logger = createLogger('health-test', { level: 'silent' });

async function get(url: string, method = 'GET') {
  const response = await fetch(url, { method });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text,
    body:
      text === '' || !response.headers.get('content-type')?.startsWith('application/json')
        ? undefined
        : (JSON.parse(text) as unknown),
  };
}

describe('health server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (
    checks: ReadyCheck[],
    checkTimeoutMs?: number,
    metrics?: HealthServerOptions['metrics'],
  ) => {
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      checks,
      logger,
      ...(checkTimeoutMs === undefined ? {} : { checkTimeoutMs }),
      ...(metrics === undefined ? {} : { metrics }),
    });
    return server;
  };

  it('listens on a free port for port 0 and says where', async () => {
    const { url, port } = await start([]);
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
  });

  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const { url } = await start([{ name: 'nats', check: () => false }]);
    expect(await get(`${url}/healthz`)).toMatchObject({
      status: 200,
      type: 'application/json; charset=utf-8',
      body: { status: 'ok' },
    });
  });

  it('GET /readyz answers 200 when every check is true', async () => {
    const { url } = await start([
      { name: 'nats', check: () => true },
      { name: 'consumer', check: async () => true },
    ]);
    expect(await get(`${url}/readyz`)).toMatchObject({
      status: 200,
      body: { ready: true, checks: { nats: true, consumer: true } },
    });
  });

  it('GET /readyz answers 503 when a check is false, naming it', async () => {
    const { url } = await start([
      { name: 'nats', check: () => true },
      { name: 'draining', check: async () => false },
    ]);
    expect(await get(`${url}/readyz?verbose=1`)).toMatchObject({
      status: 503,
      body: { ready: false, checks: { nats: true, draining: false } },
    });
  });

  it('GET /readyz counts a check that throws (or rejects) as false, and runs every check', async () => {
    let ran = 0;
    const { url } = await start([
      {
        name: 'throws',
        check: () => {
          ran++;
          throw new Error('boom');
        },
      },
      {
        name: 'rejects',
        check: async () => {
          ran++;
          throw new Error('boom');
        },
      },
      {
        name: 'ok',
        check: () => {
          ran++;
          return true;
        },
      },
    ]);
    expect(await get(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { ready: false, checks: { throws: false, rejects: false, ok: true } },
    });
    expect(ran).toBe(3);
  });

  it('GET /readyz counts a check that does not answer in time as false', async () => {
    const { url } = await start([{ name: 'hangs', check: () => new Promise<boolean>(() => {}) }], 50);
    expect(await get(`${url}/readyz`)).toMatchObject({
      status: 503,
      body: { ready: false, checks: { hangs: false } },
    });
  });

  it('follows readiness as it changes', async () => {
    let ready = false;
    const { url } = await start([{ name: 'flag', check: () => ready }]);
    expect((await get(`${url}/readyz`)).status).toBe(503);
    ready = true;
    expect((await get(`${url}/readyz`)).status).toBe(200);
  });

  it('answers HEAD like GET without a body', async () => {
    const { url } = await start([{ name: 'nats', check: () => false }]);
    expect(await get(`${url}/healthz`, 'HEAD')).toMatchObject({ status: 200, text: '' });
    expect(await get(`${url}/readyz`, 'HEAD')).toMatchObject({ status: 503, text: '' });
  });

  it('answers 404 JSON for any other path', async () => {
    const { url } = await start([]);
    expect(await get(`${url}/`)).toMatchObject({
      status: 404,
      type: 'application/json; charset=utf-8',
      body: { error: 'not found' },
    });
    expect(await get(`${url}/healthz/x`)).toMatchObject({ status: 404, body: { error: 'not found' } });
  });

  it('answers 405 for another method on a probe path', async () => {
    const { url } = await start([]);
    const response = await fetch(`${url}/healthz`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toEqual({ error: 'method not allowed' });
  });

  it('GET /metrics answers the Prometheus exposition when given a metrics source', async () => {
    const metrics = new ServiceMetrics({ service: 'po-a', version: '0.0.0-test' });
    metrics.stepHandled('po_a', 'done', 0.25);
    const { url } = await start([], undefined, metrics);
    const answer = await get(`${url}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(answer.text);
    expect(
      findSamples(samples, 'interco_build_info', { service: 'po-a', version: '0.0.0-test' }),
    ).toHaveLength(1);
    expect(
      findSamples(samples, 'interco_step_messages_total', { step: 'po_a', outcome: 'done' })[0]?.value,
    ).toBe(1);
    expect(findSamples(samples, 'process_resident_memory_bytes')).toHaveLength(1);
  });

  it('answers HEAD /metrics without a body, another method 405, and a failing source 500 (JSON)', async () => {
    let fail = false;
    const { url } = await start([], undefined, {
      render: async () => {
        if (fail) throw new Error('boom');
        return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'x 1\n' };
      },
    });
    expect(await get(`${url}/metrics`, 'HEAD')).toMatchObject({
      status: 200,
      type: 'text/plain; version=0.0.4; charset=utf-8',
      text: '',
    });
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    fail = true;
    expect(await get(`${url}/metrics`)).toMatchObject({ status: 500, body: { error: 'internal error' } });
  });

  it('answers 404 on /metrics without a metrics source (as before)', async () => {
    const { url } = await start([]);
    expect(await get(`${url}/metrics`)).toMatchObject({ status: 404, body: { error: 'not found' } });
  });

  it('close() ends even with an idle keep-alive connection open', async () => {
    const { url, port } = await start([]);
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request(`${url}/healthz`, { agent }, (response) => {
        response.resume();
        response.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    const started = Date.now();
    await server?.close();
    server = undefined;
    expect(Date.now() - started).toBeLessThan(1_000);
    agent.destroy();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('refuses to start on a port in use', async () => {
    const first = await start([]);
    await expect(
      startHealthServer({ host: '127.0.0.1', port: first.port, checks: [], logger }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
