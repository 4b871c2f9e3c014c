import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { transferBody } from './test-support/requests.js';

let t: TestIntake;

beforeAll(async () => {
  t = await startTestIntake();
  await t.addInstance('erp-a');
  await t.addInstance('erp-b');
});
afterAll(async () => {
  await t?.close();
});

describe('admin: tokens', () => {
  it('mints a token shown once, lists it without the token or its hash, revokes it: refused from then on', async () => {
    const minted = await t.call('POST', '/v1/admin/tokens', {
      body: { name: 'ci-pipeline', scopes: ['transfers:write'] },
    });
    expect(minted.status).toBe(201);
    const token = String(minted.body.token);
    expect(token).toMatch(/^ick_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    const record = minted.body.record as { id: string };
    expect(record).toEqual({
      id: token.slice(4, 16),
      name: 'ci-pipeline',
      scopes: ['transfers:write'],
      created_at: expect.any(String),
    });

    const used = await t.call('POST', '/v1/transfers', { body: transferBody(), token });
    expect(used.status).toBe(202);

    const list = await t.call('GET', '/v1/admin/tokens');
    expect(list.status).toBe(200);
    expect(list.body.tokens).toContainEqual(record);
    expect(list.text).not.toContain(token.slice(17));
    expect(list.text).not.toMatch(/"hash"/);

    const revoked = await t.call('DELETE', `/v1/admin/tokens/${record.id}`);
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    const refused = await t.call('POST', '/v1/transfers', { body: transferBody(), token });
    expect(refused.status).toBe(401);
    expect((await t.call('GET', '/v1/admin/tokens')).body.tokens).not.toContainEqual(record);
    const again = await t.call('DELETE', `/v1/admin/tokens/${record.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: 'not_found', message: `there is no live token ${record.id}` });
  });

  it('mints with an expiry, and refuses invalid input with every problem', async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const ok = await t.call('POST', '/v1/admin/tokens', {
      body: { name: 'temp', scopes: ['transfers:read', 'transfers:read'], expires_at: expires },
    });
    expect(ok.status).toBe(400);
    expect(ok.body.problems).toEqual([{ path: 'scopes', message: 'must not list an entry twice' }]);

    const minted = await t.call('POST', '/v1/admin/tokens', {
      body: { name: 'temp', scopes: ['transfers:read'], expires_at: expires },
    });
    expect(minted.status).toBe(201);
    expect(minted.body.record).toMatchObject({ expires_at: expires });

    const bad = await t.call('POST', '/v1/admin/tokens', {
      body: { name: '', scopes: ['everything'], expires_at: 'tomorrow', extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual(
      expect.arrayContaining([
        { path: 'name', message: expect.any(String) },
        { path: 'scopes[0]', message: expect.any(String) },
        { path: 'expires_at', message: expect.any(String) },
        { path: 'extra', message: 'is not a known field' },
      ]),
    );

    const past = await t.call('POST', '/v1/admin/tokens', {
      body: { name: 'late', scopes: ['admin'], expires_at: '2001-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    expect(past.body.problems).toEqual([{ path: 'expires_at', message: 'must be in the future' }]);
  });

  it('needs the admin scope: a transfers:write token is refused with 403', async () => {
    const { token } = await t.mint(['transfers:write', 'transfers:read', 'serials:read']);
    for (const [method, path] of [
      ['GET', '/v1/admin/tokens'],
      ['POST', '/v1/admin/tokens'],
      ['DELETE', '/v1/admin/tokens/abcdefghijkl'],
    ] as const) {
      const answer = await t.call(method, path, {
        token,
        ...(method === 'POST' ? { body: { name: 'x', scopes: ['admin'] } } : {}),
      });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ error: 'forbidden', message: 'this token lacks the admin scope' });
    }
  });

  it('lets a minted admin token mint (the bootstrap token is only for the first one)', async () => {
    const admin = await t.call('POST', '/v1/admin/tokens', { body: { name: 'ops', scopes: ['admin'] } });
    const token = String(admin.body.token);
    const minted = await t.call('POST', '/v1/admin/tokens', {
      token,
      body: { name: 'svc', scopes: ['transfers:read'] },
    });
    expect(minted.status).toBe(201);
  });
});
