import { BOOTSTRAP_TOKEN_ID } from './bootstrap.js';
import type { Scope } from './scopes.js';
import { parseToken } from './token-format.js';
import { hashesEqual, hashToken } from './token-hash.js';
import type { TokenRecord } from './token-record.schema.js';

/** Who made a request: the token id is the actor that events record. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
}

/**
 * Why a credential was refused; for logs and metrics only: the HTTP answer is one 401 for all.
 * - `missing`: no credential at all;
 * - `malformed`: not an Interco token;
 * - `unknown`: no such token, or a wrong secret for its id;
 * - `revoked`: the token was revoked (its key holds a purge marker);
 * - `expired`: its `expires_at` has passed.
 */
export type VerifyFailure = 'missing' | 'malformed' | 'unknown' | 'revoked' | 'expired';

export type VerifyResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: VerifyFailure };

/** What the store knows of a token id. */
export type TokenLookup =
  | { readonly state: 'live'; readonly record: TokenRecord }
  | { readonly state: 'revoked' }
  | { readonly state: 'absent' };

export interface VerifyContext {
  /** Finds a token's record by id (the id is in the token format, so a safe KV key). */
  lookup(id: string): TokenLookup | Promise<TokenLookup>;
  /** The bootstrap token's hash, if one is configured (bootstrap.ts). */
  bootstrapHash?: string | undefined;
  now: Date;
}

/** Longer credentials are refused before anything else looks at them. */
const MAX_CREDENTIAL_LENGTH = 1024;
const BEARER = /^bearer[ \t]+/i;

/**
 * The token in a credential: an `Authorization` header value (`Bearer <token>`, the scheme in
 * any case) or the token itself. Undefined when there is none.
 */
export function credentialToken(credential: string | null | undefined): string | undefined {
  if (typeof credential !== 'string') return undefined;
  const text = credential.trim();
  const token = BEARER.test(text) ? text.replace(BEARER, '') : /^bearer$/i.test(text) ? '' : text;
  return token === '' ? undefined : token;
}

/**
 * Checks a credential: the bootstrap token (scopes [`admin`], token id `bootstrap`), else the
 * record under the token's id, its hash compared in constant time, then its expiry. A wrong
 * secret answers `unknown`, before expiry is looked at: whoever lacks the secret learns nothing
 * about the token.
 */
export async function verifyToken(
  credential: string | null | undefined,
  context: VerifyContext,
): Promise<VerifyResult> {
  if (typeof credential === 'string' && credential.length > MAX_CREDENTIAL_LENGTH) {
    return refuse('malformed');
  }
  const token = credentialToken(credential);
  if (token === undefined) return refuse('missing');
  const parts = parseToken(token);
  if (parts === undefined) return refuse('malformed');
  const hash = hashToken(token);
  if (context.bootstrapHash !== undefined && hashesEqual(hash, context.bootstrapHash)) {
    return {
      ok: true,
      principal: { tokenId: BOOTSTRAP_TOKEN_ID, name: BOOTSTRAP_TOKEN_ID, scopes: ['admin'] },
    };
  }
  const found = await context.lookup(parts.id);
  if (found.state === 'absent') return refuse('unknown');
  if (found.state === 'revoked') return refuse('revoked');
  const { record } = found;
  if (record.id !== parts.id || !hashesEqual(hash, record.hash)) return refuse('unknown');
  if (record.expires_at !== undefined && context.now.getTime() >= Date.parse(record.expires_at)) {
    return refuse('expired');
  }
  return { ok: true, principal: { tokenId: record.id, name: record.name, scopes: record.scopes } };
}

function refuse(reason: VerifyFailure): VerifyResult {
  return { ok: false, reason };
}
