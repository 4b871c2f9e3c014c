import { describe, expect, it } from 'vitest';
import { mintBootstrapToken } from './bootstrap.js';
import { generateToken } from './token-format.js';
import { hashToken } from './token-hash.js';
import type { TokenRecord } from './token-record.schema.js';
import { credentialToken, type TokenLookup, type VerifyContext, verifyToken } from './verify-token.js';

const now = new Date('2030-01-01T00:00:00.000Z');
const minted = generateToken();
const record: TokenRecord = {
  id: minted.id,
  name: 'ci',
  scopes: ['transfers:write', 'transfers:read'],
  hash: hashToken(minted.token),
  created_at: '2029-12-01T00:00:00.000Z',
};

function context(lookup: TokenLookup | ((id: string) => TokenLookup), more: Partial<VerifyContext> = {}) {
  const asked: string[] = [];
  const ctx: VerifyContext = {
    lookup: (id) => {
      asked.push(id);
      return typeof lookup === 'function' ? lookup(id) : lookup;
    },
    now,
    ...more,
  };
  return { ctx, asked };
}

describe('verifyToken', () => {
  it('accepts a live token, bare or as an Authorization header value', async () => {
    const { ctx, asked } = context({ state: 'live', record });
    const principal = { tokenId: minted.id, name: 'ci', scopes: ['transfers:write', 'transfers:read'] };
    expect(await verifyToken(minted.token, ctx)).toEqual({ ok: true, principal });
    expect(await verifyToken(`Bearer ${minted.token}`, ctx)).toEqual({ ok: true, principal });
    expect(await verifyToken(`bearer   ${minted.token} `, ctx)).toEqual({ ok: true, principal });
    expect(asked).toEqual([minted.id, minted.id, minted.id]);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['empty', ''],
    ['spaces', '   '],
    ['a bare scheme', 'Bearer'],
    ['a scheme and spaces', 'Bearer   '],
  ])('%s is missing', async (_n, credential) => {
    const { ctx, asked } = context({ state: 'live', record });
    expect(await verifyToken(credential, ctx)).toEqual({ ok: false, reason: 'missing' });
    expect(asked).toEqual([]);
  });

  it.each([
    ['junk', 'hello'],
    ['another scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['a token with a cut secret', minted.token.slice(0, -1)],
    ['two tokens', `${minted.token} ${minted.token}`],
    ['a very long value', `Bearer ${'x'.repeat(5000)}`],
  ])('%s is malformed, and nothing is looked up', async (_n, credential) => {
    const { ctx, asked } = context({ state: 'live', record });
    expect(await verifyToken(credential, ctx)).toEqual({ ok: false, reason: 'malformed' });
    expect(asked).toEqual([]);
  });

  it('a wrong secret for a known id is unknown (as is an id with no record)', async () => {
    const wrong = `ick_${minted.id}_${generateToken().secret}`;
    expect(await verifyToken(wrong, context({ state: 'live', record }).ctx)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    expect(await verifyToken(minted.token, context({ state: 'absent' }).ctx)).toEqual({
      ok: false,
      reason: 'unknown',
    });
  });

  it('a record stored under another id does not verify (the id is part of the match)', async () => {
    const other = generateToken();
    const moved: TokenRecord = { ...record, id: other.id };
    expect(await verifyToken(minted.token, context({ state: 'live', record: moved }).ctx)).toEqual({
      ok: false,
      reason: 'unknown',
    });
  });

  it('a revoked token is revoked', async () => {
    expect(await verifyToken(minted.token, context({ state: 'revoked' }).ctx)).toEqual({
      ok: false,
      reason: 'revoked',
    });
  });

  it('a token is expired from its expires_at on; a wrong secret on it stays unknown', async () => {
    const at = (expires_at: string) => context({ state: 'live', record: { ...record, expires_at } }).ctx;
    expect(await verifyToken(minted.token, at('2030-01-01T00:00:00.001Z'))).toMatchObject({ ok: true });
    expect(await verifyToken(minted.token, at('2030-01-01T00:00:00.000Z'))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await verifyToken(minted.token, at('2029-06-01T00:00:00Z'))).toEqual({
      ok: false,
      reason: 'expired',
    });
    const wrong = `ick_${minted.id}_${generateToken().secret}`;
    expect(await verifyToken(wrong, at('2029-06-01T00:00:00Z'))).toEqual({ ok: false, reason: 'unknown' });
  });

  it('the bootstrap token is accepted as `bootstrap` with admin, without a lookup', async () => {
    const bootstrap = mintBootstrapToken();
    const { ctx, asked } = context({ state: 'absent' }, { bootstrapHash: bootstrap.hash });
    expect(await verifyToken(`Bearer ${bootstrap.token}`, ctx)).toEqual({
      ok: true,
      principal: { tokenId: 'bootstrap', name: 'bootstrap', scopes: ['admin'] },
    });
    expect(asked).toEqual([]);
    // without the hash configured, the same token is just unknown
    expect(await verifyToken(bootstrap.token, context({ state: 'absent' }).ctx)).toEqual({
      ok: false,
      reason: 'unknown',
    });
    // and other tokens still go to the store
    expect(
      await verifyToken(
        minted.token,
        context({ state: 'live', record }, { bootstrapHash: bootstrap.hash }).ctx,
      ),
    ).toMatchObject({
      ok: true,
      principal: { tokenId: minted.id },
    });
  });

  it('a lookup that fails rejects (KV down is not a 401)', async () => {
    const ctx: VerifyContext = { lookup: () => Promise.reject(new Error('TIMEOUT')), now };
    await expect(verifyToken(minted.token, ctx)).rejects.toThrow('TIMEOUT');
  });
});

describe('credentialToken', () => {
  it('takes the token out of an Authorization header value, or answers a bare token as is', () => {
    expect(credentialToken('Bearer abc')).toBe('abc');
    expect(credentialToken('BEARER\tabc')).toBe('abc');
    expect(credentialToken('abc')).toBe('abc');
    expect(credentialToken('Bearerabc')).toBe('Bearerabc');
    expect(credentialToken('Bearer')).toBeUndefined();
    expect(credentialToken(' ')).toBeUndefined();
    expect(credentialToken(undefined)).toBeUndefined();
  });
});
