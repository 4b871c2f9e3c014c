import type { Principal } from '@interco/auth';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { createApiApp } from './app.js';
import { routeTable } from './authenticate.js';
import { principalOf } from './principal.js';
import { fixedTokens, silentLogger } from './test-support/index.js';

const reader: Principal = { tokenId: 'abcdefgh2345', name: 'dashboard', scopes: ['transfers:read'] };
const tokens = fixedTokens({ reader: reader });

class BusDown extends Error {}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(ready = true): Promise<FastifyInstance> {
  app = await createApiApp({
    logger: silentLogger,
    tokens,
    bodyLimit: 64,
    openapi: { title: 'Example', description: 'an example API', version: '1.0.0' },
    health: { readiness: () => ({ nats: ready }) },
    isUnavailable: (error) => error instanceof BusDown,
    unavailableMessage: 'the bus is down',
  });
  app.get(
    '/v1/things/:id',
    {
      config: { auth: { scope: 'transfers:read' } },
      schema: { params: Type.Object({ id: Type.String({ maxLength: 3 }) }, { additionalProperties: false }) },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      if (id === 'bus') throw new BusDown();
      if (id === 'bug') throw new Error('boom');
      if (id === 'no') throw new ApiError<'thing_state'>(409, 'thing_state', 'not now', { id });
      return { id, caller: principalOf(request).tokenId };
    },
  );
  app.post(
    '/v1/things',
    {
      config: { auth: { scope: 'transfers:read' } },
      schema: { body: Type.Object({ name: Type.String() }, { additionalProperties: false }) },
    },
    async (request) => request.body,
  );
  return app;
}

describe('createApiApp', () => {
  it('answers an authenticated route, with the principal', async () => {
    const answer = await (await build()).inject({
      url: '/v1/things/abc',
      headers: { authorization: 'Bearer reader' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ id: 'abc', caller: 'abcdefgh2345' });
  });

  it('refuses a caller without a valid token with 401 in the one error shape', async () => {
    const answer = await (await build()).inject({ url: '/v1/things/abc' });
    expect(answer.statusCode).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    expect(answer.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('answers a route open to any valid token (scope null) whatever its scopes, 401 without one', async () => {
    const built = await build();
    built.get('/v1/me', { config: { auth: { scope: null } } }, async (request) => ({
      name: principalOf(request).name,
    }));
    const mine = await built.inject({ url: '/v1/me', headers: { authorization: 'Bearer reader' } });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toEqual({ name: 'dashboard' });
    for (const headers of [{}, { authorization: 'Bearer nope' }]) {
      const refused = await built.inject({ url: '/v1/me', headers });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="interco"');
      expect(refused.json()).toMatchObject({ error: 'unauthorized' });
    }
    expect(routeTable(built).find((route) => route.url === '/v1/me')?.auth).toEqual({ scope: null });
  });

  it('lists every problem with its path, and says where a body stops being JSON', async () => {
    const built = await build();
    const headers = { authorization: 'Bearer reader', 'content-type': 'application/json' };
    const invalid = await built.inject({ url: '/v1/things/abcd', headers });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({
      error: 'invalid_request',
      message: 'the URL is not valid: see problems (each names its path)',
      problems: [{ path: 'id', message: 'must be at most 3 characters' }],
    });
    const malformed = await built.inject({
      method: 'POST',
      url: '/v1/things',
      headers,
      payload: '{"name":x}',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'malformed_json', line: 1, column: 9, position: 8 });
    const tooLarge = await built.inject({
      method: 'POST',
      url: '/v1/things',
      headers,
      payload: JSON.stringify({ name: 'x'.repeat(100) }),
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ error: 'body_too_large', limit_bytes: 64 });
    const text = await built.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: 'Bearer reader', 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(text.statusCode).toBe(415);
  });

  it('answers ApiErrors with their own codes, isUnavailable as 503 with Retry-After, bugs as 500', async () => {
    const built = await build();
    const headers = { authorization: 'Bearer reader' };
    const conflict = await built.inject({ url: '/v1/things/no', headers });
    expect([conflict.statusCode, conflict.json()]).toEqual([
      409,
      { error: 'thing_state', message: 'not now', id: 'no' },
    ]);
    const down = await built.inject({ url: '/v1/things/bus', headers });
    expect([down.statusCode, down.headers['retry-after'], down.json()]).toEqual([
      503,
      '5',
      { error: 'unavailable', message: 'the bus is down' },
    ]);
    const bug = await built.inject({ url: '/v1/things/bug', headers });
    expect(bug.statusCode).toBe(500);
    expect(bug.json()).toMatchObject({ error: 'internal_error' });
    expect(bug.body).not.toContain('boom');
    const unknown = await built.inject({ url: '/v1/nothing', headers });
    expect([unknown.statusCode, unknown.json()]).toEqual([
      404,
      { error: 'not_found', message: 'there is no route GET /v1/nothing' },
    ]);
  });

  it('serves health, readiness and the OpenAPI document without a token', async () => {
    const built = await build(false);
    expect((await built.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const readiness = await built.inject({ url: '/readyz' });
    expect([readiness.statusCode, readiness.json()]).toEqual([
      503,
      { ready: false, checks: { nats: false } },
    ]);
    const document = (await built.inject({ url: '/openapi.json' })).json() as {
      info: unknown;
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.info).toEqual({ title: 'Example', description: 'an example API', version: '1.0.0' });
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/things/{id}', '/healthz']));
    expect(Object.keys(document.components.securitySchemes)).toEqual(['bearer']);
    expect(routeTable(built).map((route) => `${route.method} ${route.url}`)).toContain('GET /v1/things/:id');
  });

  it('refuses a route that does not say who may call it, when it is added', async () => {
    const built = await build();
    expect(() => built.get('/v1/open', async () => 'open')).toThrow(
      'route GET /v1/open does not say who may call it (config.auth)',
    );
  });
});
