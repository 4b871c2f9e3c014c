import { JetStreamApiError } from '@nats-io/jetstream';
import { ConnectionError, TimeoutError } from '@nats-io/nats-core';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIntakeApp } from './app.js';
import type { IntakeDeps } from './deps.js';
import { type FakeDeps, fakeDeps } from './test-support/fake-deps.js';
import { transferBody } from './test-support/requests.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function post(deps: FakeDeps, authorization = 'Bearer writer') {
  app = await buildIntakeApp(deps);
  return app.inject({
    method: 'POST',
    url: '/v1/transfers',
    headers: { authorization },
    payload: transferBody(),
  });
}

/** Deps whose manifest store throws `error` when a manifest is stored. */
function manifestPutThrowing(error: Error): FakeDeps {
  const base = fakeDeps();
  return fakeDeps({
    manifests: {
      ...base.manifests,
      put: async () => {
        throw error;
      },
    },
  });
}

describe('infrastructure failures and bugs', () => {
  it('answers 503 with Retry-After when NATS does not answer, with everything undone', async () => {
    const deps = manifestPutThrowing(new TimeoutError());
    const answer = await post(deps);
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.json()).toEqual({
      error: 'unavailable',
      message: 'Interco cannot reach its message bus just now: try again shortly',
    });
    expect([deps.records.size, deps.manifestsStored.size, deps.reserved.size]).toEqual([0, 0, 0]);
  });

  it('answers 503 with the transfer id when the transfer is recorded but its publish is not confirmed', async () => {
    const deps = fakeDeps({
      publish: async () => {
        throw new TimeoutError();
      },
    });
    const answer = await post(deps);
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    const [id] = [...deps.records.keys()];
    expect(answer.json()).toEqual({
      error: 'unavailable',
      message: `transfer ${id} is accepted, but the message bus did not confirm its start just now: do not send the request again (that would be another transfer): POST /v1/transfers/${id}/retry completes it`,
      transfer_id: id,
    });
    expect([deps.records.size, deps.manifestsStored.size, deps.reserved.size]).toEqual([1, 1, 4]);
  });

  it('answers 503 when the token store cannot be read', async () => {
    const base = fakeDeps();
    const deps = fakeDeps({
      tokens: {
        ...base.tokens,
        verify: async () => {
          throw new ConnectionError('connection refused');
        },
      } as IntakeDeps['tokens'],
    });
    expect((await post(deps)).statusCode).toBe(503);
  });

  it('answers 503 when JetStream answers a server-side error (a stream without a leader just now)', async () => {
    const noLeader = new JetStreamApiError({
      code: 500,
      err_code: 10009,
      description: 'JetStream cluster can not handle request',
    });
    const answer = await post(manifestPutThrowing(noLeader));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
  });

  it('answers a JetStream client error (a request Interco got wrong) as a bug: 500', async () => {
    const badRequest = new JetStreamApiError({
      code: 400,
      err_code: 10052,
      description: 'invalid stream config',
    });
    expect((await post(manifestPutThrowing(badRequest))).statusCode).toBe(500);
  });

  it('answers a bug with 500 saying nothing of it', async () => {
    const deps = fakeDeps({
      publish: async () => {
        throw new Error('boom at /secret/path with SN-123');
      },
    });
    const answer = await post(deps);
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({
      error: 'internal_error',
      message: expect.stringMatching(/^Interco failed to answer this request \(request id .+\)$/),
    });
    expect(answer.body).not.toContain('boom');
  });
});

describe('every route says who may call it', () => {
  it('refuses a route that does not, when it is added', async () => {
    app = await buildIntakeApp(fakeDeps());
    const instance = app;
    expect(() => instance.get('/v1/forgotten', async () => 'open')).toThrow(
      'route GET /v1/forgotten does not say who may call it (config.auth)',
    );
  });
});
