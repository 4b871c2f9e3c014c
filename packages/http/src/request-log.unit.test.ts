import { Writable } from 'node:stream';
import type { Principal, VerifyResult } from '@interco/auth';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiApp } from './app.js';
import { pathOf, queryNamesOf, serializeRequest } from './request-log.js';

const SERIAL = 'SECRET-SN-1';

const reader: Principal = { tokenId: 'abcdefgh2345', name: 'dashboard', scopes: ['transfers:read'] };
const tokens = {
  verify: async (credential: string | undefined): Promise<VerifyResult> =>
    credential === 'Bearer reader' ? { ok: true, principal: reader } : { ok: false, reason: 'unknown' },
};

/** Every line a pino logger writes, parsed. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  // A pino logger as fastify makes one, with fastify's own `req` serializer (the whole URL), which
  // the chassis' must override.
  const logger = Fastify({ logger: { level: 'trace', stream } }).log;
  return { lines, logger, text: () => JSON.stringify(lines) };
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(logger: ReturnType<typeof capture>['logger']): Promise<FastifyInstance> {
  app = await createApiApp({
    logger,
    tokens,
    openapi: { title: 'Example', description: 'an example API', version: '1.0.0' },
  });
  app.get(
    '/v1/transfers',
    {
      config: { auth: { scope: 'transfers:read' } },
      schema: {
        querystring: Type.Object(
          { serial: Type.Optional(Type.String({ maxLength: 11 })), status: Type.Optional(Type.String()) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { serial, status } = request.query as { serial?: string; status?: string };
      if (status === 'bug') throw new Error('boom');
      return { found: serial === undefined ? 0 : 1 };
    },
  );
  return app;
}

describe('request log lines', () => {
  it('name the path and the query parameters, never a query string value', async () => {
    const log = capture();
    const built = await build(log.logger);
    const headers = { authorization: 'Bearer reader' };
    const found = await built.inject({ url: `/v1/transfers?serial=${SERIAL}&status=settled`, headers });
    expect(found.statusCode).toBe(200);
    const incoming = log.lines.find((line) => line.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ method: 'GET', url: '/v1/transfers', query: ['serial', 'status'] });
    expect(log.lines.some((line) => line.msg === 'request completed')).toBe(true);
    expect(log.text()).not.toContain(SERIAL);
    expect(log.text()).not.toContain('settled');
  });

  it('do not echo it when the request fails: validation, a bug, an unknown route, a bad URL', async () => {
    const log = capture();
    const built = await build(log.logger);
    const headers = { authorization: 'Bearer reader' };
    const invalid = await built.inject({ url: `/v1/transfers?serial=${SERIAL}-TOO-LONG`, headers });
    expect(invalid.statusCode).toBe(400);
    const unknownParameter = await built.inject({ url: `/v1/transfers?pin=${SERIAL}`, headers });
    expect(unknownParameter.statusCode).toBe(400);
    const bug = await built.inject({ url: `/v1/transfers?serial=${SERIAL}&status=bug`, headers });
    expect(bug.statusCode).toBe(500);
    const unauthorized = await built.inject({ url: `/v1/transfers?serial=${SERIAL}` });
    expect(unauthorized.statusCode).toBe(401);
    const unknown = await built.inject({ url: `/v1/nothing?serial=${SERIAL}`, headers });
    expect(unknown.statusCode).toBe(404);
    const badUrl = await built.inject({ url: `/v1/transfers/%E0%A4%A?serial=${SERIAL}`, headers });
    expect(badUrl.statusCode).toBe(400);
    for (const answer of [invalid, unknownParameter, bug, unauthorized, unknown, badUrl]) {
      expect(answer.body).not.toContain(SERIAL);
    }
    expect(log.lines.some((line) => line.msg === 'request failed')).toBe(true);
    expect(log.lines.filter((line) => line.msg === 'incoming request')).toHaveLength(6);
    expect(log.text()).not.toContain(SERIAL);
  });
});

describe('serializeRequest', () => {
  it('keeps the path and the parameter names only', () => {
    expect(
      serializeRequest({ method: 'GET', url: `/v1/transfers?serial=${SERIAL}&a+b=1&serial=2;x`, ip: '::1' }),
    ).toEqual({ method: 'GET', url: '/v1/transfers', query: ['a b', 'serial', 'x'], remoteAddress: '::1' });
    expect(serializeRequest({ method: 'GET', url: '/healthz' })).toEqual({
      method: 'GET',
      url: '/healthz',
      remoteAddress: undefined,
    });
    expect(pathOf('/a#b?c')).toBe('/a');
    expect(queryNamesOf(`/a?${'s'.repeat(65)}`)).toEqual(['(a long name)']);
    expect(queryNamesOf('/a?%E0%A4%A=1')).toEqual(['%E0%A4%A']);
  });
});
