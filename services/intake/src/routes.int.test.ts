import { routeTable } from '@interco/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';

let t: TestIntake;
let tokens: { write: string; read: string };

beforeAll(async () => {
  t = await startTestIntake();
  tokens = {
    write: (await t.mint(['transfers:write'])).token,
    read: (await t.mint(['transfers:read', 'serials:read'])).token,
  };
});
afterAll(async () => {
  await t?.close();
});

/** A concrete path for a route pattern (`:id` filled in). */
function pathOf(url: string): string {
  return url.replace(':id', url.includes('transfers') ? 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B' : 'abcdefghijkl');
}

const routes = () => routeTable(t.intake.app).filter((route) => route.method !== 'HEAD');

describe('the route table', () => {
  it('has every route of the API', () => {
    expect(routes().map((route) => `${route.method} ${route.url}`)).toEqual([
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
      'POST /v1/transfers',
      'POST /v1/transfers/:id/retry',
      'POST /v1/transfers/:id/cancel',
      'POST /api/v1/workflow/start-workflow/',
      'GET /v1/instances',
      'GET /v1/admin/instances',
      'POST /v1/admin/instances',
      'GET /v1/admin/instances/:id',
      'PUT /v1/admin/instances/:id',
      'DELETE /v1/admin/instances/:id',
      'POST /v1/admin/instances/:id/test',
      'POST /v1/admin/instances/:id/prepare',
      'POST /v1/admin/preflight',
      'POST /v1/admin/tokens',
      'GET /v1/admin/tokens',
      'DELETE /v1/admin/tokens/:id',
      'GET /v1/admin/secret-key',
      'POST /v1/admin/secret-key/reseal',
    ]);
  });

  it('answers nothing but health, metrics and the OpenAPI document without a valid token (401), nor without the scope (403)', async () => {
    const open: string[] = [];
    for (const route of routeTable(t.intake.app)) {
      const path = pathOf(route.url);
      const name = `${route.method} ${route.url}`;
      const send = (token: string | null) =>
        t.call(route.method, path, {
          token,
          ...(route.method === 'POST' || route.method === 'PUT' ? { body: {} } : {}),
        });
      if (route.auth === 'public') {
        const answer = await send(null);
        expect(answer.status, name).toBe(200);
        open.push(name);
        continue;
      }
      for (const token of [null, 'ick_nope', `ick_${'a'.repeat(12)}_${'A'.repeat(43)}`]) {
        const answer = await send(token);
        expect(answer.status, `${name} with ${token}`).toBe(401);
        if (route.method !== 'HEAD') {
          expect(answer.body, name).toEqual({
            error: 'unauthorized',
            message: expect.stringContaining('a valid API token is required'),
          });
        }
        expect(answer.headers.get('www-authenticate'), name).toMatch(/^Bearer realm="interco"/);
      }
      const lacking = route.auth.scope === 'transfers:write' ? tokens.read : tokens.write;
      const forbidden = await send(lacking);
      expect(forbidden.status, name).toBe(403);
    }
    expect(open).toEqual([
      'GET /healthz',
      'HEAD /healthz',
      'GET /readyz',
      'HEAD /readyz',
      'GET /metrics',
      'HEAD /metrics',
      'GET /openapi.json',
      'HEAD /openapi.json',
    ]);
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const answer = await t.call('GET', '/v1/nothing?x=1');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'not_found', message: 'there is no route GET /v1/nothing' });
  });
});

describe('health', () => {
  it('is alive and ready, then not ready while draining', async () => {
    expect((await t.call('GET', '/healthz', { token: null })).body).toEqual({ status: 'ok' });
    expect((await t.call('GET', '/readyz', { token: null })).body).toEqual({
      ready: true,
      checks: { nats: true, lifecycle_consumer: true, not_draining: true },
    });
  });
});

describe('the OpenAPI document', () => {
  it('is served without a token and lists every route with its schemas', async () => {
    const answer = await t.call('GET', '/openapi.json', { token: null });
    expect(answer.status).toBe(200);
    const document = answer.body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['bearer', 'token']);
    for (const route of routes()) {
      const path = route.url.replace(/:([a-z]+)/g, '{$1}');
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url}`).toBeDefined();
      if (route.auth === 'public') expect(operation?.security).toEqual([]);
      else expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['401', '403']));
    }
    const create = document.paths['/v1/transfers']?.post;
    expect(Object.keys(create?.responses ?? {}).sort()).toEqual([
      '202',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '422',
      '503',
    ]);
    expect(JSON.stringify(create?.requestBody)).toContain('company_a_instance_id');
    expect(document.paths['/api/v1/workflow/start-workflow/']?.post?.security).toEqual([
      { token: [] },
      { bearer: [] },
    ]);
  });
});

describe('odd requests', () => {
  it('answers a malformed URL, an overlong one and an empty JSON body with 400 in the error shape', async () => {
    const badUrl = await t.call('POST', '/v1/transfers/%E0%A4%A/retry', { token: tokens.write });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body).toEqual({
      error: 'invalid_request',
      message: 'the URL is not valid (a malformed percent-encoding)',
    });
    const long = await t.call('POST', `/v1/transfers/${'x'.repeat(200)}/retry`, { token: tokens.write });
    expect(long.status).toBe(414);
    expect(long.body).toEqual({ error: 'invalid_request', message: 'a part of the URL is too long' });
    const empty = await t.call('POST', '/v1/transfers', {
      raw: '   ',
      token: tokens.write,
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.problems).toEqual([{ path: '', message: 'the body must be a JSON object' }]);
  });
});
