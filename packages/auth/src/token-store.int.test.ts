import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from './authorize.js';
import { mintBootstrapToken } from './bootstrap.js';
import type { AuthLogger } from './logger.js';
import { parseToken } from './token-format.js';
import { hashToken } from './token-hash.js';
import { TokenStore, TokenStoreError } from './token-store.js';

const ns = testNamespace();
const bucket = `tokens_${ns.id}`;

function secretOf(token: string): string {
  const parts = parseToken(token);
  if (parts === undefined) throw new Error('not a token');
  return parts.secret;
}

function recordingLogger(): { logger: AuthLogger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (obj: object, msg: string) =>
    lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  return { lines, logger: { warn: at('warn'), error: at('error') } };
}

describe('TokenStore (JetStream KV)', () => {
  let nc: NatsConnection;
  let store: TokenStore;
  /** Another replica: its own cache, following the same bucket. */
  let replica: TokenStore;
  /** A store without a cache: every verify reads KV. */
  let direct: TokenStore;
  const bootstrap = mintBootstrapToken();

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl() });
    store = await TokenStore.open(nc, { bucket, bootstrapHash: bootstrap.hash });
    replica = await TokenStore.open(nc, { bucket });
    direct = await TokenStore.open(nc, { bucket, cache: false });
  });
  afterAll(async () => {
    store?.close();
    replica?.close();
    direct?.close();
    await nc?.close();
  });

  it('creates the bucket with history 1', async () => {
    const status = await store.kv.status();
    expect(status.history).toBe(1);
    expect(status.bucket).toBe(bucket);
  });

  it('mints a token that verifies, on every replica, with its id as the actor', async () => {
    const { token, record } = await store.mint({ name: 'ci', scopes: ['transfers:read', 'transfers:write'] });
    expect(parseToken(token)?.id).toBe(record.id);
    expect(record).toEqual({
      id: record.id,
      name: 'ci',
      scopes: ['transfers:write', 'transfers:read'],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const principal = { tokenId: record.id, name: 'ci', scopes: ['transfers:write', 'transfers:read'] };
    for (const s of [store, replica, direct]) {
      expect(await s.verify(`Bearer ${token}`)).toEqual({ ok: true, principal });
    }
    expect(authorize(await store.verify(`Bearer ${token}`), 'transfers:write')).toEqual({
      ok: true,
      principal,
    });
    expect(authorize(await store.verify(`Bearer ${token}`), 'serials:read')).toMatchObject({
      status: 403,
      body: { message: 'this token lacks the serials:read scope' },
    });
    // the replica's cache follows the bucket: the token is there without asking KV
    await expect.poll(() => replica.cache?.lookup(record.id)?.state, { timeout: 5000 }).toBe('live');
  });

  it('a wrong secret for a real id is unknown, and so is an id never minted', async () => {
    const { token, record } = await store.mint({ name: 'wrong-secret', scopes: ['transfers:read'] });
    const other = await store.mint({ name: 'other', scopes: ['transfers:read'] });
    const wrong = `ick_${record.id}_${secretOf(other.token)}`;
    for (const s of [store, replica, direct]) {
      expect(await s.verify(wrong)).toEqual({ ok: false, reason: 'unknown' });
      expect(await s.verify(`ick_aaaaaaaaaaaa_${secretOf(token)}`)).toEqual({ ok: false, reason: 'unknown' });
      expect(await s.verify('Bearer not-a-token')).toEqual({ ok: false, reason: 'malformed' });
      expect(await s.verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    }
    expect(authorize(await store.verify(wrong), 'transfers:read')).toMatchObject({ ok: false, status: 401 });
  });

  it('revokes a token: refused at once here, and on the other replica as soon as the watch brings it', async () => {
    const { token, record } = await store.mint({ name: 'to-revoke', scopes: ['transfers:write'] });
    expect(await replica.verify(token)).toMatchObject({ ok: true });
    expect(await store.revoke(record.id)).toBe(true);
    expect(await store.verify(token)).toEqual({ ok: false, reason: 'revoked' });
    expect(await direct.verify(token)).toEqual({ ok: false, reason: 'revoked' });
    await expect
      .poll(() => replica.verify(token), { timeout: 5000 })
      .toEqual({ ok: false, reason: 'revoked' });
    // revoking again, an unknown id, junk, or the bootstrap token: nothing to revoke
    expect(await store.revoke(record.id)).toBe(false);
    expect(await store.revoke('aaaaaaaaaaaa')).toBe(false);
    expect(await store.revoke('bootstrap')).toBe(false);
    expect(await store.revoke('../>')).toBe(false);
    // the purge leaves only a marker: no revision holds the record
    const history: Array<{ operation: string; text: string }> = [];
    for await (const entry of await store.kv.history({ key: record.id })) {
      history.push({ operation: entry.operation, text: entry.string() });
    }
    expect(history).toEqual([{ operation: 'PURGE', text: '' }]);
    // mint writes only keys never used (previousSeq 0): a revoked id is not handed out again
    await expect(store.kv.put(record.id, '{}', { previousSeq: 0 })).rejects.toThrow();
    expect((await store.list()).map((t) => t.id)).not.toContain(record.id);
  });

  it('a token is refused from its expiry on', async () => {
    const start = Date.now();
    const at = (ms: number) => new Date(start + ms);
    let now = at(0);
    const clocked = await TokenStore.open(nc, { bucket, now: () => now });
    try {
      const hour = 3_600_000;
      const { token, record } = await clocked.mint({
        name: 'short-lived',
        scopes: ['transfers:read'],
        expiresAt: at(hour),
      });
      expect(record.expires_at).toBe(at(hour).toISOString());
      expect(await clocked.verify(token)).toMatchObject({ ok: true });
      now = at(hour - 1);
      expect(await clocked.verify(token)).toMatchObject({ ok: true });
      now = at(hour);
      expect(await clocked.verify(token)).toEqual({ ok: false, reason: 'expired' });
      now = at(2 * hour);
      expect(await clocked.verify(token)).toEqual({ ok: false, reason: 'expired' });
      // a wrong secret on an expired token is still just unknown
      const other = await clocked.mint({ name: 'other', scopes: ['transfers:read'] });
      expect(await clocked.verify(`ick_${record.id}_${secretOf(other.token)}`)).toEqual({
        ok: false,
        reason: 'unknown',
      });
      // the other stores run on the real clock, an hour before the expiry
      expect(await direct.verify(token)).toMatchObject({ ok: true });
      // an expired token is still listed, with its expiry (revoke it to remove it)
      expect((await clocked.list()).find((t) => t.id === record.id)?.expires_at).toBe(record.expires_at);
      await clocked.revoke(other.record.id);
    } finally {
      clocked.close();
    }
  });

  it('refuses invalid mint requests with every problem, storing nothing', async () => {
    const before = (await store.list()).length;
    const bad = store.mint({ name: '', scopes: [], expiresAt: new Date('2000-01-01T00:00:00Z') });
    await expect(bad).rejects.toBeInstanceOf(TokenStoreError);
    const error = (await bad.catch((e: unknown) => e)) as TokenStoreError;
    expect(error.kind).toBe('invalid');
    expect(error.problems.map((p) => p.path)).toEqual(['name', 'scopes', 'expiresAt']);
    expect((await store.list()).length).toBe(before);
  });

  it('list answers records without hashes or tokens', async () => {
    const minted = await store.mint({ name: 'listed', scopes: ['serials:read', 'transfers:read'] });
    const listed = await store.list();
    const mine = listed.find((t) => t.id === minted.record.id);
    expect(mine).toEqual(minted.record);
    for (const summary of listed) {
      expect(Object.keys(summary).sort()).toEqual(
        expect.arrayContaining(['created_at', 'id', 'name', 'scopes']),
      );
      expect(Object.keys(summary)).not.toContain('hash');
    }
    const text = JSON.stringify(listed);
    expect(text).not.toContain(minted.token);
    expect(text).not.toContain(secretOf(minted.token));
    expect(text).not.toContain(hashToken(minted.token));
    expect(text).not.toContain('ick_');
    expect(listed.map((t) => t.created_at)).toEqual([...listed.map((t) => t.created_at)].sort());
  });

  it('the raw KV value holds the hash, never the token or its secret', async () => {
    const { token, record } = await store.mint({ name: 'raw', scopes: ['admin'] });
    const raw = (await store.kv.get(record.id))?.string() ?? '';
    expect(JSON.parse(raw)).toEqual({ ...record, hash: hashToken(token) });
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(secretOf(token));
    expect(raw).not.toContain(Buffer.from(secretOf(token), 'base64url').toString('hex'));
    expect(raw).not.toContain(Buffer.from(secretOf(token), 'base64url').toString('base64'));
  });

  it('accepts the bootstrap token as `bootstrap` with admin, only where its hash is configured', async () => {
    const result = await store.verify(`Bearer ${bootstrap.token}`);
    expect(result).toEqual({
      ok: true,
      principal: { tokenId: 'bootstrap', name: 'bootstrap', scopes: ['admin'] },
    });
    expect(authorize(result, 'admin')).toMatchObject({ ok: true });
    expect(authorize(result, 'transfers:write')).toMatchObject({ ok: true });
    expect(await replica.verify(bootstrap.token)).toEqual({ ok: false, reason: 'unknown' });
    // it is nowhere in the bucket
    expect((await store.list()).map((t) => t.id)).not.toContain('bootstrap');
  });

  it('refuses to open with a bootstrap hash that is not one', async () => {
    await expect(TokenStore.open(nc, { bucket, bootstrapHash: 'abc' })).rejects.toThrow(
      'bootstrapHash must be the SHA-256 hash of the bootstrap token, 64 hex characters; it has 3 characters',
    );
    await expect(TokenStore.open(nc, { bucket, bootstrapHash: bootstrap.token })).rejects.toThrow(
      'bootstrapHash holds a token, not a token',
    );
  });

  it('a record that is not valid in KV is refused and logged without its content', async () => {
    const { logger, lines } = recordingLogger();
    const own = await TokenStore.open(nc, { bucket, logger, cache: false });
    const { token, record } = await store.mint({ name: 'tampered', scopes: ['transfers:read'] });
    await store.kv.put(record.id, JSON.stringify({ ...record, hash: hashToken(token), scopes: ['root'] }));
    expect(await own.verify(token)).toEqual({ ok: false, reason: 'unknown' });
    expect(lines).toEqual([
      `warn token store: a stored token record is not valid; the token is refused {"token":"${record.id}","revision":${
        (await store.kv.get(record.id))?.revision
      }}`,
    ]);
    await expect
      .poll(() => replica.verify(token), { timeout: 5000 })
      .toEqual({ ok: false, reason: 'unknown' });
    expect((await own.list()).map((t) => t.id)).not.toContain(record.id);
    await store.revoke(record.id);
    own.close();
  });

  it('a cache whose watch ended (connection closed) stops answering and logs it', async () => {
    const { logger, lines } = recordingLogger();
    const conn = await connect({ servers: natsUrl() });
    const own = await TokenStore.open(conn, { bucket, logger });
    expect(own.cache?.live).toBe(true);
    await conn.close();
    await expect.poll(() => own.cache?.live, { timeout: 5000 }).toBe(false);
    expect(lines).toEqual([
      expect.stringMatching(
        /^error token cache: the token watch ended; tokens are verified against KV directly/,
      ),
    ]);
    // with the connection gone, verify rejects instead of trusting what the cache had seen
    const { token } = await store.mint({ name: 'after-close', scopes: ['transfers:read'] });
    await expect(own.verify(token)).rejects.toThrow();
    own.close();
  });
});
