import { describe, expect, it } from 'vitest';
import {
  BOOTSTRAP_HASH_ENV,
  BOOTSTRAP_TOKEN_ID,
  bootstrapHashFromEnv,
  mintBootstrapToken,
  parseBootstrapHash,
} from './bootstrap.js';
import { parseToken } from './token-format.js';
import { hashToken } from './token-hash.js';

describe('bootstrap token', () => {
  it('mintBootstrapToken answers a token in the usual format and its hash', () => {
    const { token, hash } = mintBootstrapToken();
    expect(parseToken(token)).toBeDefined();
    expect(hash).toBe(hashToken(token));
    expect(mintBootstrapToken().token).not.toBe(token);
    expect(BOOTSTRAP_TOKEN_ID).toBe('bootstrap');
  });

  it('reads the hash from INTERCO_BOOTSTRAP_TOKEN_HASH, in either case, spaces around dropped', () => {
    const { hash } = mintBootstrapToken();
    expect(bootstrapHashFromEnv({ [BOOTSTRAP_HASH_ENV]: hash })).toBe(hash);
    expect(bootstrapHashFromEnv({ [BOOTSTRAP_HASH_ENV]: ` ${hash.toUpperCase()}\n` })).toBe(hash);
  });

  it('no variable, or an empty one, means no bootstrap token', () => {
    expect(bootstrapHashFromEnv({})).toBeUndefined();
    expect(bootstrapHashFromEnv({ [BOOTSTRAP_HASH_ENV]: '' })).toBeUndefined();
    expect(bootstrapHashFromEnv({ [BOOTSTRAP_HASH_ENV]: '  ' })).toBeUndefined();
  });

  it('a value that is not a hash fails with what is wrong, without repeating it', () => {
    const short = 'deadbeef';
    expect(() => bootstrapHashFromEnv({ [BOOTSTRAP_HASH_ENV]: short })).toThrow(
      'INTERCO_BOOTSTRAP_TOKEN_HASH must be the SHA-256 hash of the bootstrap token, 64 hex characters; it has 8 characters (make one with `pnpm --filter @interco/auth hash-token --new`',
    );
    const notHex = 'my-password-that-is-not-a-hash';
    const error = captured(() => bootstrapHashFromEnv({ [BOOTSTRAP_HASH_ENV]: notHex }));
    expect(error.message).toContain('it has 30 characters, not all of them hex');
    expect(error.message).not.toContain(notHex);
  });

  it('a token put where its hash belongs is refused with a message that does not repeat it', () => {
    const { token } = mintBootstrapToken();
    const error = captured(() => bootstrapHashFromEnv({ [BOOTSTRAP_HASH_ENV]: token }));
    expect(error.message).toContain('INTERCO_BOOTSTRAP_TOKEN_HASH holds a token, not a token');
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(token.slice(17));
  });

  it('parseBootstrapHash names the source it was given', () => {
    expect(() => parseBootstrapHash('x', 'bootstrapHash')).toThrow(/^bootstrapHash must be the SHA-256 hash/);
  });
});

function captured(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected an error');
}
