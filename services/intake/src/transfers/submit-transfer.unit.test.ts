import { requestDigest } from '@interco/bus';
import { createTransferRequestValidator, type TransferRequest } from '@interco/contracts';
import { ApiError } from '@interco/http';
import { TimeoutError } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { type FakeDeps, fakeDeps, WRITER } from '../test-support/fake-deps.js';
import { transferBody } from '../test-support/requests.js';
import { STALE_CLAIM_MS, submitTransfer } from './submit-transfer.js';

function request(options: Parameters<typeof transferBody>[0] = {}): TransferRequest {
  const result = createTransferRequestValidator()(transferBody(options));
  if (!result.ok) throw new Error('invalid test request');
  return result.value;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('submitTransfer', () => {
  it('claims the key, reserves, stores the manifest, creates the record, then publishes', async () => {
    const deps = fakeDeps();
    const manifest = request();
    const result = await submitTransfer(deps, manifest, WRITER, 'key-1');
    expect(result.replayed).toBe(false);
    expect(deps.calls).toEqual(['key.claim', 'reserve', 'manifest.put', 'record.create', 'publish']);
    const record = deps.records.get(result.transfer_id);
    expect(record).toMatchObject({
      status: 'active',
      generation: 1,
      actor: WRITER.tokenId,
      counts: { items: 2, serials: 4 },
      chunking: { fingerprint: 'v2;spd=1000;rpd=50;spr=1000;rb=49152;db=4194304' },
    });
    expect(deps.published).toEqual([record?.requested_event]);
    expect(deps.reserved.size).toBe(4);
  });

  it('undoes nothing once the record exists: a publish that fails (NATS down) answers 503 accepted-unconfirmed with the transfer id', async () => {
    const deps = fakeDeps({
      publish: async () => {
        throw new TimeoutError();
      },
    });
    const error = await rejection(submitTransfer(deps, request(), WRITER, 'key-1'));
    expect(error).toBeInstanceOf(ApiError);
    const [id] = [...deps.records.keys()];
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).headers).toEqual({ 'retry-after': '5' });
    expect((error as ApiError).body()).toEqual({
      error: 'unavailable',
      message: `transfer ${id} is accepted, but the message bus did not confirm its start just now: repeat this request with the same Idempotency-Key to complete it`,
      transfer_id: id,
    });
    expect((error as ApiError).cause).toBeInstanceOf(TimeoutError);
    // no undo: no record.delete, manifest.delete, release or key.release
    expect(deps.calls).toEqual(['key.claim', 'reserve', 'manifest.put', 'record.create']);
    expect([deps.records.size, deps.manifestsStored.size, deps.reserved.size, deps.keys.size]).toEqual([
      1, 1, 4, 1,
    ]);
  });

  it('undoes everything, in reverse, when the record cannot be created (NATS down), and throws that error', async () => {
    const base = fakeDeps();
    const deps = fakeDeps({
      transfers: {
        ...base.transfers,
        create: async () => {
          throw new TimeoutError();
        },
        delete: async (id) => {
          deps.calls.push('record.delete');
          await base.transfers.delete(id);
        },
      },
    });
    const error = await rejection(submitTransfer(deps, request(), WRITER, 'key-1'));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(deps.calls).toEqual([
      'key.claim',
      'reserve',
      'manifest.put',
      'record.delete',
      'manifest.delete',
      'release',
      'key.release',
    ]);
    expect([deps.manifestsStored.size, deps.reserved.size, deps.keys.size]).toEqual([0, 0, 0]);
  });

  it('keeps the transfer when the publish failed but the event landed (a lost answer)', async () => {
    const deps: FakeDeps = fakeDeps({
      publish: async (event) => {
        deps.published.push(event);
        throw new TimeoutError();
      },
    });
    const result = await submitTransfer(deps, request(), WRITER, 'key-1');
    expect(deps.records.get(result.transfer_id)?.status).toBe('active');
    expect([deps.manifestsStored.size, deps.reserved.size, deps.keys.size]).toEqual([1, 4, 1]);
  });

  it('goes on undoing when one undo fails (best effort)', async () => {
    const base = fakeDeps();
    const deps = fakeDeps({
      manifests: {
        ...base.manifests,
        put: async () => ({ ref: 'manifests/x', digest: `sha256:${'0'.repeat(64)}` }),
        delete: async () => {
          throw new Error('object store down');
        },
      },
      transfers: {
        ...base.transfers,
        create: async () => {
          throw new Error('kv down');
        },
      },
    });
    await expect(submitTransfer(deps, request(), WRITER, 'key-2')).rejects.toThrow('kv down');
    expect(deps.calls).toEqual(['key.claim', 'reserve', 'release', 'key.release']);
    // the record's undo ran too (a create whose answer was lost may have written it)
    expect(base.calls).toEqual(['record.delete']);
    expect([deps.reserved.size, deps.keys.size]).toEqual([0, 0]);
  });

  it('names the serials another transfer holds (409) and releases the key', async () => {
    const deps = fakeDeps();
    const first = request({ prefix: 'A' });
    await submitTransfer(deps, first, WRITER, undefined);
    const second = request({ prefix: 'B' });
    (second.items[1] as { serials: string[] }).serials[1] = 'a-2-1';
    deps.calls.length = 0;
    const error = await rejection(submitTransfer(deps, second, WRITER, 'key-3'));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    expect((error as ApiError).body()).toMatchObject({
      error: 'serials_in_use',
      serials: ['a-2-1'],
      count: 1,
    });
    expect(deps.calls).toEqual(['key.claim', 'reserve', 'key.release']);
    expect(deps.keys.size).toBe(0);
  });

  it('answers the first transfer for the same key and body, without publishing its event twice', async () => {
    const deps = fakeDeps();
    const manifest = request();
    const first = await submitTransfer(deps, manifest, WRITER, 'same');
    const again = await submitTransfer(deps, structuredClone(manifest), WRITER, 'same');
    expect(again).toEqual({ transfer_id: first.transfer_id, replayed: true });
    expect(deps.published).toHaveLength(1);
    expect(deps.records.size).toBe(1);
  });

  it('publishes the stored transfer.requested when the stream lacks it (an intake that stopped before publishing)', async () => {
    const deps = fakeDeps();
    const manifest = request();
    const first = await submitTransfer(deps, manifest, WRITER, 'same');
    const event = deps.published.pop();
    const again = await submitTransfer(deps, manifest, WRITER, 'same');
    expect(again.transfer_id).toBe(first.transfer_id);
    expect(deps.published).toEqual([event]);
  });

  it('answers 409 for the same key with another body, and while the first request is still running', async () => {
    const deps = fakeDeps();
    await submitTransfer(deps, request(), WRITER, 'k');
    const other = await rejection(submitTransfer(deps, request(), WRITER, 'k'));
    expect((other as ApiError).code).toBe('idempotency_key_reused');

    const manifest = request();
    const running = {
      transfer_id: 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
      request_digest: requestDigest(manifest),
      created_at: new Date().toISOString(),
    };
    deps.keys.set(`${WRITER.tokenId}\nrunning`, running);
    const answer = await rejection(submitTransfer(deps, manifest, WRITER, 'running'));
    expect((answer as ApiError).code).toBe('idempotency_key_in_progress');
    expect((answer as ApiError).headers).toEqual({ 'retry-after': '1' });
  });

  it('takes over a key claimed more than 10 minutes ago by a request that made no transfer', async () => {
    const deps = fakeDeps();
    const manifest = request();
    deps.keys.set(`${WRITER.tokenId}\nstale`, {
      transfer_id: 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
      request_digest: requestDigest(manifest),
      created_at: new Date(Date.now() - STALE_CLAIM_MS - 1000).toISOString(),
    });
    const result = await submitTransfer(deps, manifest, WRITER, 'stale');
    expect(result.replayed).toBe(false);
    expect(result.transfer_id).not.toBe('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B');
    expect(deps.keys.get(`${WRITER.tokenId}\nstale`)?.transfer_id).toBe(result.transfer_id);
  });

  it('refuses unknown instances (422) before anything is written', async () => {
    const deps = fakeDeps();
    const error = await rejection(submitTransfer(deps, request({ a: 'nowhere', b: 'gone' }), WRITER, 'k'));
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).body().problems).toEqual([
      {
        path: 'company_a_instance_id',
        message: expect.stringContaining('no ERPNext instance "nowhere" is registered'),
      },
      {
        path: 'company_b_instance_id',
        message: expect.stringContaining('no ERPNext instance "gone" is registered'),
      },
    ]);
    expect(deps.calls).toEqual([]);
  });
});
