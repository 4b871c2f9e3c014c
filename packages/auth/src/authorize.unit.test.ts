import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { AuthErrorBody, authorize } from './authorize.js';
import type { Principal, VerifyFailure } from './verify-token.js';

const reader: Principal = { tokenId: 'abcdefgh2345', name: 'dashboard', scopes: ['transfers:read'] };
const admin: Principal = { tokenId: 'bootstrap', name: 'bootstrap', scopes: ['admin'] };

describe('authorize', () => {
  it('lets a token with the scope through, with its principal', () => {
    expect(authorize({ ok: true, principal: reader }, 'transfers:read')).toEqual({
      ok: true,
      principal: reader,
    });
  });

  it('lets admin through for every scope', () => {
    expect(authorize({ ok: true, principal: admin }, 'serials:read')).toEqual({ ok: true, principal: admin });
    expect(authorize({ ok: true, principal: admin }, 'transfers:write')).toMatchObject({ ok: true });
  });

  it.each<VerifyFailure>(['missing', 'malformed', 'unknown', 'revoked', 'expired'])(
    'answers 401 with one body for every reason (%s is not told)',
    (reason) => {
      const answer = authorize({ ok: false, reason }, 'transfers:write');
      expect(answer).toEqual({
        ok: false,
        status: 401,
        body: {
          error: 'unauthorized',
          message: 'a valid API token is required: send it as "Authorization: Bearer <token>"',
        },
        headers: { 'www-authenticate': 'Bearer realm="interco"' },
      });
      expect(JSON.stringify(answer)).not.toContain(reason);
    },
  );

  it('answers 403 naming the missing scope', () => {
    expect(authorize({ ok: true, principal: reader }, 'transfers:write')).toEqual({
      ok: false,
      status: 403,
      body: { error: 'forbidden', message: 'this token lacks the transfers:write scope' },
      headers: {
        'www-authenticate': 'Bearer realm="interco", error="insufficient_scope", scope="transfers:write"',
      },
    });
    expect(authorize({ ok: true, principal: reader }, 'serials:read')).toMatchObject({
      status: 403,
      body: { message: 'this token lacks the serials:read scope' },
    });
    expect(authorize({ ok: true, principal: reader }, 'admin')).toMatchObject({
      status: 403,
      body: { message: 'this token lacks the admin scope' },
    });
  });

  it('bodies match their schema and carry no token id or name', () => {
    for (const answer of [
      authorize({ ok: false, reason: 'unknown' }, 'admin'),
      authorize({ ok: true, principal: reader }, 'admin'),
    ]) {
      if (answer.ok) throw new Error('expected a refusal');
      expect(Value.Check(AuthErrorBody, answer.body)).toBe(true);
      expect(JSON.stringify(answer)).not.toContain(reader.tokenId);
      expect(JSON.stringify(answer)).not.toContain(reader.name);
    }
  });
});
