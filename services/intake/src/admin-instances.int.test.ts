import { type RunningSite, type Simulator, startSimulator } from '@interco/erpnext-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { transferBody } from './test-support/requests.js';

let t: TestIntake;
let sim: Simulator;
let siteA: RunningSite;
let siteB: RunningSite;

beforeAll(async () => {
  [t, sim] = await Promise.all([startTestIntake(), startSimulator({ sites: 'demo' })]);
  [siteA, siteB] = sim.sites as [RunningSite, RunningSite];
});
afterAll(async () => {
  await Promise.all([t?.close(), sim?.close()]);
});

function instanceOf(site: RunningSite, more: Record<string, unknown> = {}) {
  return {
    id: site.name,
    name: site.name === 'company-a' ? 'Compania A' : 'Compania B',
    base_url: site.url,
    api_key: site.apiKey,
    api_secret: site.apiSecret,
    ...more,
  };
}

/** The plan's transfer between the demo sites. */
function demoTransfer() {
  return transferBody({ a: 'company-a', b: 'company-b' });
}

describe('admin: ERPNext instances', () => {
  it('adds an instance with its credentials and never answers them (add, list, get)', async () => {
    const added = await t.call('POST', '/v1/admin/instances', { body: instanceOf(siteA) });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({
      id: 'company-a',
      name: 'Compania A',
      base_url: siteA.url,
      api_key_hint: siteA.apiKey.slice(-4),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await t.call('POST', '/v1/admin/instances', { body: instanceOf(siteB) })).status).toBe(201);

    const list = await t.call('GET', '/v1/admin/instances');
    expect(list.status).toBe(200);
    expect((list.body.instances as { id: string }[]).map((instance) => instance.id)).toEqual([
      'company-a',
      'company-b',
    ]);
    const got = await t.call('GET', '/v1/admin/instances/company-a');
    expect(got.body).toEqual(added.body);
    for (const answer of [added, list, got]) {
      for (const secret of [siteA.apiSecret, siteA.apiKey, siteB.apiSecret, siteB.apiKey]) {
        expect(answer.text).not.toContain(secret);
      }
      expect(answer.text).not.toContain('api_secret');
    }
  });

  it('refuses a second instance with the same id (409) and an invalid one with every problem (400)', async () => {
    const again = await t.call('POST', '/v1/admin/instances', { body: instanceOf(siteA) });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'conflict', message: 'instance company-a already exists' });

    const invalid = await t.call('POST', '/v1/admin/instances', {
      body: { ...instanceOf(siteA, { id: 'bad id', base_url: 'ftp://x', write_timeout_ms: 5000 }) },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'id' })]));
    const timeouts = await t.call('POST', '/v1/admin/instances', {
      body: instanceOf(siteA, { id: 'company-x', base_url: 'ftp://x', write_timeout_ms: 5000 }),
    });
    expect(timeouts.status).toBe(400);
    expect((timeouts.body.problems as { path: string }[]).map((problem) => problem.path).sort()).toEqual([
      'base_url',
      'write_timeout_ms',
    ]);
    expect(timeouts.text).not.toContain(siteA.apiSecret);
  });

  it('tests the connection: the API user, or why not after a wrong secret', async () => {
    const ok = await t.call('POST', '/v1/admin/instances/company-a/test');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, user: 'interco@compania-a.example' });

    const changed = await t.call('PUT', '/v1/admin/instances/company-a', {
      body: { api_secret: 'wrong-secret-1234' },
    });
    expect(changed.status).toBe(200);
    expect(changed.text).not.toContain('wrong-secret-1234');
    const refused = await t.call('POST', '/v1/admin/instances/company-a/test');
    expect(refused.status).toBe(200);
    expect(refused.body.ok).toBe(false);
    expect(String(refused.body.error)).not.toContain('wrong-secret-1234');

    const restored = await t.call('PUT', '/v1/admin/instances/company-a', {
      body: { api_secret: siteA.apiSecret, name: 'Compania A (demo)' },
    });
    expect(restored.body).toMatchObject({ id: 'company-a', name: 'Compania A (demo)' });
    expect((await t.call('POST', '/v1/admin/instances/company-a/test')).body.ok).toBe(true);

    const moved = await t.call('PUT', '/v1/admin/instances/company-a', {
      body: { base_url: 'https://attacker.example.net', api_key: 'key-for-elsewhere-0001' },
    });
    expect(moved.status).toBe(400);
    expect(moved.body).toMatchObject({ error: 'invalid_request' });
    expect(moved.body.problems).toEqual([
      {
        path: 'api_secret',
        message:
          'changing base_url needs api_key and api_secret again: stored credentials are never sent to a new address',
      },
    ]);
    expect(moved.text).not.toContain('key-for-elsewhere-0001');
    expect((await t.call('POST', '/v1/admin/instances/company-a/test')).body.ok).toBe(true);

    const unknownField = await t.call('PUT', '/v1/admin/instances/company-a', { body: { id: 'other' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.problems).toEqual([{ path: 'id', message: 'is not a known field' }]);
  });

  it('runs the preflight of a transfer between two instances, then prepare installs the marker field', async () => {
    const before = await t.call('POST', '/v1/admin/preflight', { body: demoTransfer() });
    expect(before.status).toBe(200);
    expect(before.body.ok).toBe(false);
    expect(
      (before.body.problems as { instance: string; check: string }[]).map((p) => `${p.instance}:${p.check}`),
    ).toEqual([
      'a:marker_field_missing',
      'a:marker_field_missing',
      'a:marker_field_missing',
      'b:marker_field_missing',
    ]);

    const prepared = await t.call('POST', '/v1/admin/instances/company-a/prepare');
    expect(prepared.status).toBe(200);
    expect(prepared.body).toEqual({
      instance: 'company-a',
      prepared: true,
      results: [
        { doctype: 'Purchase Order', outcome: 'installed' },
        { doctype: 'Purchase Receipt', outcome: 'installed' },
        { doctype: 'Delivery Note', outcome: 'installed' },
      ],
      summary: [
        'company-a Purchase Order: installed',
        'company-a Purchase Receipt: installed',
        'company-a Delivery Note: installed',
      ],
    });
    const onlyB = await t.call('POST', '/v1/admin/instances/company-b/prepare', {
      body: { doctypes: ['Purchase Receipt'] },
    });
    expect(onlyB.body.results).toEqual([{ doctype: 'Purchase Receipt', outcome: 'installed' }]);
    const again = await t.call('POST', '/v1/admin/instances/company-a/prepare');
    expect((again.body.results as { outcome: string }[]).map((result) => result.outcome)).toEqual([
      'already',
      'already',
      'already',
    ]);

    const after = await t.call('POST', '/v1/admin/preflight', { body: demoTransfer() });
    expect(after.body).toMatchObject({ ok: true, problems: [] });
  });

  it('answers the preflight of unknown instances with 422, of an invalid request with 400', async () => {
    const unknown = await t.call('POST', '/v1/admin/preflight', { body: transferBody({ a: 'nowhere' }) });
    expect(unknown.status).toBe(422);
    expect(unknown.body.problems).toHaveLength(2);
    const invalid = await t.call('POST', '/v1/admin/preflight', {
      body: { ...demoTransfer(), items: 'none' },
    });
    expect(invalid.status).toBe(400);
  });

  it('removes an instance: 204, then 404', async () => {
    expect(
      (await t.call('POST', '/v1/admin/instances', { body: instanceOf(siteB, { id: 'spare' }) })).status,
    ).toBe(201);
    const removed = await t.call('DELETE', '/v1/admin/instances/spare');
    expect(removed.status).toBe(204);
    for (const [method, path] of [
      ['GET', '/v1/admin/instances/spare'],
      ['DELETE', '/v1/admin/instances/spare'],
      ['POST', '/v1/admin/instances/spare/test'],
      ['POST', '/v1/admin/instances/spare/prepare'],
    ] as const) {
      const answer = await t.call(method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body).toEqual({ error: 'not_found', message: 'no instance spare' });
    }
  });

  it('needs the admin scope', async () => {
    const { token } = await t.mint(['transfers:write']);
    const answer = await t.call('GET', '/v1/admin/instances', { token });
    expect(answer.status).toBe(403);
  });
});
