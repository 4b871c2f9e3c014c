import type { VerifyResult } from '@interco/auth';
import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiApp } from './app.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
type Level = (typeof LEVELS)[number];

interface Line {
  level: Level;
  fields: Record<string, unknown>;
  msg: string | undefined;
}

/** A pino-like logger that keeps its lines, honouring levels and child levels (as fastify uses them). */
function capturingLogger(
  lines: Line[],
  level = 'info',
  bindings: Record<string, unknown> = {},
): FastifyBaseLogger {
  const write =
    (at: Level) =>
    (first?: unknown, second?: unknown): void => {
      if (level === 'silent' || LEVELS.indexOf(at) < LEVELS.indexOf(level as Level)) return;
      const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
      const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : undefined;
      lines.push({ level: at, fields: { ...bindings, ...fields }, msg });
    };
  return {
    level,
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    fatal: write('fatal'),
    silent: () => {},
    child: (childBindings: Record<string, unknown>, options?: { level?: string }) =>
      capturingLogger(lines, options?.level ?? level, { ...bindings, ...childBindings }),
  } as FastifyBaseLogger;
}

const tokens = {
  verify: async (): Promise<VerifyResult> => ({ ok: false, reason: 'unknown' }),
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function listen(metrics: ServiceMetrics | undefined, lines: Line[] = []): Promise<string> {
  app = await createApiApp({
    logger: capturingLogger(lines),
    tokens,
    openapi: { title: 'Example', description: 'an example API', version: '1.0.0' },
    health: { readiness: () => ({ nats: true }) },
    ...(metrics === undefined ? {} : { metrics }),
  });
  app.get('/v1/things', { config: { auth: { scope: 'transfers:read' } } }, async () => ({ things: [] }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return `http://127.0.0.1:${address.port}`;
}

describe('GET /metrics on the API chassis', () => {
  it('answers the Prometheus exposition without a token', async () => {
    const metrics = new ServiceMetrics({ service: 'intake', version: '0.0.0-test' });
    metrics.transferSubmitted('accepted');
    const url = await listen(metrics);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const samples = parseExposition(await response.text());
    expect(findSamples(samples, 'interco_build_info', { service: 'intake' })).toHaveLength(1);
    expect(findSamples(samples, 'interco_transfers_submitted_total', { outcome: 'accepted' })[0]?.value).toBe(
      1,
    );
    expect(findSamples(samples, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);

    const head = await fetch(`${url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    // The API's routes still need a token.
    expect((await fetch(`${url}/v1/things`)).status).toBe(401);
  });

  it('is in the OpenAPI document as public, and left out of the request log', async () => {
    const lines: Line[] = [];
    const url = await listen(new ServiceMetrics({ service: 'tracker', defaultMetrics: false }), lines);
    const document = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { security?: unknown[]; responses?: Record<string, unknown> } }>;
    };
    expect(document.paths['/metrics']?.get?.security).toEqual([]);
    expect(JSON.stringify(document.paths['/metrics']?.get?.responses)).toContain('text/plain');
    lines.length = 0;
    expect((await fetch(`${url}/metrics?token=secret-value`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const urls = lines.map((line) => (line.fields.req as { url?: string } | undefined)?.url);
    expect(urls).toContain('/healthz');
    expect(urls.filter((logged) => logged?.startsWith('/metrics'))).toEqual([]);
  });

  it('is not there when the app has no metrics', async () => {
    const url = await listen(undefined);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });
});
