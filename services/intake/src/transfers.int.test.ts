import { ManifestStore, SerialDigester, TransferStore } from '@interco/bus';
import { Kvm } from '@nats-io/kv';
import { TimeoutError } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeDeps } from './deps.js';
import { type Answer, startTestIntake, type TestIntake } from './test-support/harness.js';
import { serialAt, serialsOf, transferBody, uniquePrefix } from './test-support/requests.js';

const TRANSFER_ID = /^tr_[0-9A-HJKMNP-TV-Z]{26}$/;

let t: TestIntake;
let writer: { token: string; id: string };

beforeAll(async () => {
  t = await startTestIntake();
  await t.addInstance('erp-a');
  await t.addInstance('erp-b');
  writer = await t.mint(['transfers:write'], 'writer');
});
afterAll(async () => {
  await t?.close();
});

async function post(
  body: unknown,
  options: { token?: string | null; headers?: Record<string, string> } = {},
) {
  return t.call('POST', '/v1/transfers', { body, token: writer.token, ...options });
}

/** How many serials are reserved (live keys; a released one leaves a delete marker). */
async function serialKeys(): Promise<number> {
  const kv = await new Kvm(t.intake.nc).open(t.intake.names.buckets.serials);
  let count = 0;
  for await (const key of await kv.keys()) {
    if ((await kv.get(key))?.operation === 'PUT') count++;
  }
  return count;
}

/** Runs `send` and checks that the stream did not change. */
async function refused(send: () => Promise<Answer>): Promise<Answer> {
  const before = await t.streamCount();
  const answer = await send();
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(typeof answer.body.error).toBe('string');
  expect(typeof answer.body.message).toBe('string');
  expect(await t.streamCount()).toBe(before);
  return answer;
}

describe('POST /v1/transfers', () => {
  it('accepts a transfer: 202 with its id and status_url, one transfer.requested on the stream, no serial in it', async () => {
    const body = transferBody({ perItem: 3 });
    const before = await t.streamCount();
    const answer = await post(body);
    expect(answer.status).toBe(202);
    const id = String(answer.body.transfer_id);
    expect(id).toMatch(TRANSFER_ID);
    expect(answer.body).toEqual({ transfer_id: id, status_url: `/v1/transfers/${id}` });
    expect(answer.headers.get('location')).toBe(`/v1/transfers/${id}`);
    expect(await t.streamCount()).toBe(before + 1);

    const events = (await t.events()).filter(({ event }) => event.transferid === id);
    expect(events.map(({ event }) => event.type)).toEqual(['transfer.requested']);
    const [{ event, text }] = events as [(typeof events)[number]];
    if (event.type !== 'transfer.requested') throw new Error('not transfer.requested');
    expect(event).toMatchObject({
      source: 'interco/intake',
      generation: 1,
      actor: writer.id,
      data: {
        instances: { a: 'erp-a', b: 'erp-b' },
        companies: { a: 'Compania A', b_customer_in_a: 'Compania B', a_supplier_in_b: 'Compania A' },
        supplier: 'Proveedor de Pines SA',
        warehouses: { a: 'Stores - CA', b: 'Stores - CB' },
        counts: { items: 2, serials: 6 },
      },
    });
    for (const serial of serialsOf(body)) expect(text).not.toContain(serial);

    // the record, the sealed manifest, the reservations
    const transfers = await TransferStore.open(t.intake.nc, t.intake.names);
    const record = (await transfers.get(id))?.record;
    expect(record).toMatchObject({
      transfer_id: id,
      status: 'active',
      generation: 1,
      actor: writer.id,
      instances: { a: 'erp-a', b: 'erp-b' },
      counts: { items: 2, serials: 6 },
      chunking: { fingerprint: 'v2;spd=1000;rpd=50;spr=1000;rb=49152;db=4194304' },
    });
    expect(record?.requested_event).toEqual(event);
    const manifests = await ManifestStore.open(t.intake.nc, t.intake.names, t.box);
    const manifest = await manifests.get(event.data.manifest.ref, event.data.manifest.digest, id);
    expect(serialsOf(manifest)).toEqual(serialsOf(body));
    const objects = await new (await import('@nats-io/obj')).Objm(t.intake.nc).open(
      t.intake.names.buckets.manifests,
    );
    const raw = new TextDecoder().decode((await objects.getBlob(id)) ?? new Uint8Array());
    for (const serial of serialsOf(body)) expect(raw).not.toContain(serial);
    const digester = SerialDigester.fromSecretBox(t.box);
    const kv = await new Kvm(t.intake.nc).open(t.intake.names.buckets.serials);
    // value: the holding transfer and the generation that reserved the serial
    for (const serial of serialsOf(body))
      expect((await kv.get(digester.digest(serial)))?.string()).toBe(`${id}@1`);
  });

  it('answers the same transfer for the same Idempotency-Key and body (one event), 409 for another body', async () => {
    const body = transferBody();
    const headers = { 'idempotency-key': `key-${uniquePrefix()}` };
    const before = await t.streamCount();
    const first = await post(body, { headers });
    expect(first.status).toBe(202);
    const second = await post(body, { headers });
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(await t.streamCount()).toBe(before + 1);

    const other = await refused(() => post(transferBody(), { headers }));
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({
      error: 'idempotency_key_reused',
      transfer_id: first.body.transfer_id,
    });
    expect(other.body.message).toContain('Idempotency-Key was used before with another request body');
  });

  it('keeps Idempotency-Keys per caller: the same key from another token is another transfer', async () => {
    const headers = { 'idempotency-key': `shared-${uniquePrefix()}` };
    const other = await t.mint(['transfers:write'], 'other writer');
    const first = await post(transferBody(), { headers });
    const second = await post(transferBody(), { headers, token: other.token });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.transfer_id).not.toBe(first.body.transfer_id);
  });

  it('refuses serials another active transfer holds: 409 naming them, nothing published, no reservation left', async () => {
    const first = transferBody({ perItem: 2 });
    expect((await post(first)).status).toBe(202);
    const keys = await serialKeys();

    const second = transferBody({ perItem: 3 });
    const taken = [serialAt(first, 0, 1), serialAt(first, 1, 0).toLowerCase()];
    (second.items[0] as { serials: string[] }).serials[2] = taken[0] as string;
    (second.items[1] as { serials: string[] }).serials[0] = taken[1] as string;
    const answer = await refused(() => post(second));
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'serials_in_use', count: 2, serials: taken });
    expect(answer.body.message).toMatch(/^2 serials are already in another active transfer/);
    expect(await serialKeys()).toBe(keys);
  });

  it('keeps an Idempotency-Key free when the request fails after claiming it', async () => {
    const first = transferBody();
    expect((await post(first)).status).toBe(202);
    const clash = transferBody();
    (clash.items[0] as { serials: string[] }).serials[0] = first.items[0]?.serials[0] as string;
    const headers = { 'idempotency-key': `retry-${uniquePrefix()}` };
    expect((await post(clash, { headers })).status).toBe(409);
    // the same key, the conflict fixed: a new transfer
    const fixed = { ...clash, items: transferBody().items };
    expect((await post(fixed, { headers })).status).toBe(202);
  });
});

describe('POST /v1/transfers when the publish is not confirmed (NATS timing out after the record was written)', () => {
  /** Runs `body` with intake's publish and history failing as NATS timing out. */
  async function withoutStream<T>(body: () => Promise<T>): Promise<T> {
    const deps = t.intake.deps as { -readonly [K in keyof IntakeDeps]: IntakeDeps[K] };
    const { publish, history } = deps;
    const timeout = async (): Promise<never> => {
      throw new TimeoutError();
    };
    deps.publish = timeout;
    deps.history = timeout;
    try {
      return await body();
    } finally {
      deps.publish = publish;
      deps.history = history;
    }
  }

  it('keeps the transfer (record, manifest, serials, key): 503 with its id; the same Idempotency-Key completes it', async () => {
    const body = transferBody();
    const headers = { 'idempotency-key': `unconfirmed-${uniquePrefix()}` };
    const before = await t.streamCount();
    const first = await withoutStream(() => post(body, { headers }));
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    const id = String(first.body.transfer_id);
    expect(id).toMatch(TRANSFER_ID);
    expect(first.body).toEqual({
      error: 'unavailable',
      message: `transfer ${id} is accepted, but the message bus did not confirm its start just now: repeat this request with the same Idempotency-Key to complete it`,
      transfer_id: id,
    });
    expect(await t.streamCount()).toBe(before);
    // nothing was undone: a step may already act on the event
    const transfers = await TransferStore.open(t.intake.nc, t.intake.names);
    const found = await transfers.get(id);
    expect(found?.record).toMatchObject({ status: 'active', generation: 1 });
    const manifests = await ManifestStore.open(t.intake.nc, t.intake.names, t.box);
    const record = found?.record;
    if (record === undefined) throw new Error('no record');
    expect(await manifests.get(record.manifest.ref, record.manifest.digest, id)).toBeDefined();
    const digester = SerialDigester.fromSecretBox(t.box);
    const kv = await new Kvm(t.intake.nc).open(t.intake.names.buckets.serials);
    for (const serial of serialsOf(body))
      expect((await kv.get(digester.digest(serial)))?.string()).toBe(`${id}@1`);

    // the client repeats the request with the same key: the same transfer, its event published once
    const again = await post(body, { headers });
    expect(again.status).toBe(202);
    expect(again.body.transfer_id).toBe(id);
    const events = (await t.events()).filter(({ event }) => event.transferid === id);
    expect(events.map(({ event }) => event)).toEqual([record.requested_event]);
    expect((await post(body, { headers })).body.transfer_id).toBe(id);
    expect(await t.streamCount()).toBe(before + 1);
  });

  it('without an Idempotency-Key: 503 with the transfer id, and a retry of that transfer completes it', async () => {
    const body = transferBody();
    const first = await withoutStream(() => post(body));
    expect(first.status).toBe(503);
    const id = String(first.body.transfer_id);
    expect(id).toMatch(TRANSFER_ID);
    expect(first.body.message).toBe(
      `transfer ${id} is accepted, but the message bus did not confirm its start just now: do not send the request again (that would be another transfer): POST /v1/transfers/${id}/retry completes it`,
    );
    // the same body again is refused: its serials are this transfer's
    const repeat = await refused(() => post(body));
    expect(repeat.body).toMatchObject({ error: 'serials_in_use', held_by: [id] });
    const retry = await t.call('POST', `/v1/transfers/${id}/retry`, { token: writer.token });
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ transfer_id: id, generation: 1 });
    const events = (await t.events()).filter(({ event }) => event.transferid === id);
    expect(events.map(({ event }) => event.type)).toEqual(['transfer.requested']);
  });
});

describe('bad input: a 4xx with a clear message, nothing published', () => {
  const cases: Array<[string, () => Promise<Answer>, number, Record<string, unknown>, string | RegExp]> = [
    [
      'malformed JSON',
      () =>
        t.call('POST', '/v1/transfers', {
          raw: '{\n  "supplier": "x",\n  "items": [1,]\n}',
          token: writer.token,
          headers: { 'content-type': 'application/json' },
        }),
      400,
      { error: 'malformed_json', line: 3, column: 15, position: 35 },
      'the body is not valid JSON: expected a value',
    ],
    [
      'wrong types',
      () => {
        const body = transferBody();
        (body.items[0] as Record<string, unknown>).qty = 'two';
        body.supplier = 7;
        return post(body);
      },
      400,
      {
        error: 'invalid_request',
        problems: [
          { path: 'supplier', message: 'must be a string' },
          { path: 'items[0].qty', message: 'must be a whole number' },
        ],
      },
      'the request is not valid',
    ],
    [
      'missing fields',
      () => {
        const { supplier: _s, company_b_warehouse: _w, ...body } = transferBody();
        return post(body);
      },
      400,
      {
        problems: [
          { path: 'supplier', message: 'is required' },
          { path: 'company_b_warehouse', message: 'is required' },
        ],
      },
      'see problems',
    ],
    [
      'qty different from the serial count',
      () => {
        const body = transferBody();
        (body.items[1] as Record<string, unknown>).qty = 3;
        return post(body);
      },
      400,
      {
        problems: [
          { path: 'items[1].serials', message: 'has 2 serials but qty is 3: give one serial per unit' },
        ],
      },
      'see problems',
    ],
    [
      'duplicate serials, also differing only in case',
      () => {
        const body = transferBody({ perItem: 3 });
        const serials = (body.items[0] as { serials: string[] }).serials;
        serials[1] = serials[0] as string;
        (body.items[1] as { serials: string[] }).serials[2] = (serials[2] as string).toLowerCase();
        return post(body);
      },
      400,
      {
        problems: [
          {
            path: 'items[0].serials[1]',
            message: 'repeats items[0].serials[0] (serial numbers compare case-insensitively, as in ERPNext)',
          },
          {
            path: 'items[1].serials[2]',
            message: 'repeats items[0].serials[2] (serial numbers compare case-insensitively, as in ERPNext)',
          },
        ],
      },
      'see problems',
    ],
    [
      'a serial with a comma',
      () => {
        const body = transferBody();
        (body.items[0] as { serials: string[] }).serials[0] = 'SN-1,SN-2';
        return post(body);
      },
      400,
      {
        problems: [
          {
            path: 'items[0].serials[0]',
            message: 'must not contain a comma (ERPNext splits serial numbers on commas)',
          },
        ],
      },
      'see problems',
    ],
    [
      'an unknown instance',
      () => post(transferBody({ b: 'erp-nowhere' })),
      422,
      {
        error: 'unknown_instance',
        problems: [
          {
            path: 'company_b_instance_id',
            message:
              'no ERPNext instance "erp-nowhere" is registered (an admin adds it with POST /v1/admin/instances)',
          },
        ],
      },
      'not registered (company_b_instance_id)',
    ],
    [
      'a missing token',
      () => post(transferBody(), { token: null }),
      401,
      { error: 'unauthorized' },
      'a valid API token is required',
    ],
    [
      'an invalid token',
      () => post(transferBody(), { token: `ick_${'a'.repeat(12)}_${'A'.repeat(43)}` }),
      401,
      { error: 'unauthorized' },
      'a valid API token is required',
    ],
    [
      'another scheme',
      () => post(transferBody(), { token: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
      401,
      { error: 'unauthorized' },
      'a valid API token is required',
    ],
    [
      'a body that is not JSON',
      () =>
        t.call('POST', '/v1/transfers', {
          raw: 'supplier=x',
          token: writer.token,
          headers: { 'content-type': 'text/plain' },
        }),
      415,
      { error: 'unsupported_media_type' },
      'Content-Type: application/json',
    ],
    [
      'no body',
      () => t.call('POST', '/v1/transfers', { token: writer.token }),
      400,
      { problems: [{ path: '', message: 'the body must be a JSON object' }] },
      'see problems',
    ],
    [
      'a JSON array',
      () => post([transferBody()]),
      400,
      { problems: [{ path: '', message: 'the body must be a JSON object' }] },
      'see problems',
    ],
    [
      'an invalid Idempotency-Key',
      () => post(transferBody(), { headers: { 'idempotency-key': 'has spaces in it' } }),
      400,
      {
        problems: [
          { path: 'idempotency-key', message: expect.stringContaining('is not in the expected format') },
        ],
      },
      'the request headers are not valid',
    ],
  ];

  it.each(cases)('%s', async (_name, send, status, body, message) => {
    const answer = await refused(send);
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject(body);
    if (typeof message === 'string') expect(answer.body.message).toContain(message);
    else expect(answer.body.message).toMatch(message);
  });

  it('a token without the scope: 403 saying which scope', async () => {
    const reader = await t.mint(['transfers:read', 'serials:read']);
    const answer = await refused(() => post(transferBody(), { token: reader.token }));
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: 'forbidden',
      message: 'this token lacks the transfers:write scope',
    });
    expect(answer.headers.get('www-authenticate')).toContain('insufficient_scope');
  });

  it('never says a serial back in a validation answer', async () => {
    const body = transferBody();
    const serial = (body.items[0] as { serials: string[] }).serials[0] as string;
    (body.items[0] as { serials: string[] }).serials[1] = `${serial}\n`;
    (body.items[0] as { serials: string[] }).serials[0] = `${serial},x`;
    const answer = await refused(() => post(body));
    expect(answer.text).not.toContain(serial);
  });
});
