import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_MAX_AGE_SECONDS } from './cors.js';
import { startTestIntake, type TestIntake } from './test-support/harness.js';

const CONSOLE = 'http://127.0.0.1:8085';
const OTHER_CONSOLE = 'https://ops.example.com';
const STRANGER = 'http://evil.example';

let t: TestIntake;
let plain: TestIntake;
let reader: string;

beforeAll(async () => {
  [t, plain] = await Promise.all([
    startTestIntake({ corsOrigins: [CONSOLE, OTHER_CONSOLE] }),
    startTestIntake(),
  ]);
  reader = (await t.mint(['transfers:read'])).token;
});
afterAll(async () => {
  await Promise.all([t?.close(), plain?.close()]);
});

const preflight = (on: TestIntake, origin: string, method = 'POST') =>
  on.call('OPTIONS', '/v1/transfers/tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B/retry', {
    token: null,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization, content-type',
    },
  });

const corsHeaders = (headers: Headers) =>
  [...headers.keys()].filter((name) => name.startsWith('access-control-')).sort();

describe('CORS for the console (INTAKE_CORS_ORIGINS)', () => {
  it('answers a preflight from a listed origin with the allowed methods, headers and max-age', async () => {
    for (const origin of [CONSOLE, OTHER_CONSOLE]) {
      const answer = await preflight(t, origin);
      expect(answer.status).toBe(204);
      expect(answer.text).toBe('');
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')).toBe(CORS_ALLOWED_METHODS.join(', '));
      expect(answer.headers.get('access-control-allow-headers')).toBe(CORS_ALLOWED_HEADERS.join(', '));
      expect(answer.headers.get('access-control-allow-headers')).toContain('idempotency-key');
      expect(answer.headers.get('access-control-max-age')).toBe(String(CORS_MAX_AGE_SECONDS));
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
      expect(answer.headers.get('vary')).toMatch(/Origin/);
    }
  });

  it('gives another origin no CORS header at all, preflight or not', async () => {
    for (const origin of [STRANGER, `${CONSOLE}/`, 'http://127.0.0.1:8086', 'null']) {
      const answer = await preflight(t, origin);
      expect(answer.status, origin).toBe(404);
      expect(corsHeaders(answer.headers), origin).toEqual([]);
      const read = await t.call('GET', '/v1/instances', { token: reader, headers: { origin } });
      expect(read.status, origin).toBe(200);
      expect(corsHeaders(read.headers), origin).toEqual([]);
      expect(read.headers.get('vary'), origin).toMatch(/Origin/);
    }
  });

  it('echoes a listed origin on every answer, errors included, with Vary: Origin', async () => {
    const answers = [
      await t.call('GET', '/v1/instances', { token: reader, headers: { origin: CONSOLE } }),
      await t.call('GET', '/v1/instances', { token: null, headers: { origin: CONSOLE } }),
      await t.call('POST', '/v1/transfers', { token: reader, body: {}, headers: { origin: CONSOLE } }),
      await t.call('POST', '/v1/transfers', {
        raw: '{',
        headers: { origin: CONSOLE, 'content-type': 'application/json' },
      }),
      await t.call('GET', '/v1/nothing', { headers: { origin: CONSOLE } }),
      await t.call('GET', '/healthz', { token: null, headers: { origin: CONSOLE } }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 403, 400, 404, 200]);
    for (const answer of answers) {
      expect(answer.headers.get('access-control-allow-origin')).toBe(CONSOLE);
      expect(answer.headers.get('vary')).toMatch(/Origin/);
      expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('adds nothing when no origin is listed', async () => {
    const answer = await preflight(plain, CONSOLE);
    expect(answer.status).toBe(404);
    expect(corsHeaders(answer.headers)).toEqual([]);
    const read = await plain.call('GET', '/healthz', { token: null, headers: { origin: CONSOLE } });
    expect(corsHeaders(read.headers)).toEqual([]);
    expect(read.headers.get('vary')).toBeNull();
  });
});

describe('GET /v1/instances', () => {
  it('lists ids, names and base URLs for transfers:read, never a credential or its hint', async () => {
    const apiKey = `${'k'.repeat(10)}KEY9`;
    const apiSecret = `${'s'.repeat(20)}SECRET`;
    const added = await t.call('POST', '/v1/admin/instances', {
      body: {
        id: 'company-a',
        name: 'Compania A',
        base_url: 'http://127.0.0.1:9/erp',
        api_key: apiKey,
        api_secret: apiSecret,
      },
    });
    expect(added.status).toBe(201);
    const list = await t.call('GET', '/v1/instances', { token: reader });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      instances: [{ id: 'company-a', name: 'Compania A', base_url: 'http://127.0.0.1:9/erp' }],
    });
    for (const secret of [apiKey, apiSecret, 'KEY9', 'api_key', 'api_secret']) {
      expect(list.text).not.toContain(secret);
    }
    const write = (await t.mint(['transfers:write'])).token;
    expect((await t.call('GET', '/v1/instances', { token: write })).status).toBe(403);
    expect((await t.call('GET', '/v1/instances', { token: null })).status).toBe(401);
  });

  it('is in the OpenAPI document with its schema', async () => {
    const document = (await t.call('GET', '/openapi.json', { token: null })).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const operation = document.paths['/v1/instances']?.get;
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403']));
    const ok = JSON.stringify(operation?.responses['200']);
    expect(ok).toContain('base_url');
    expect(ok).not.toContain('api_key');
  });
});
