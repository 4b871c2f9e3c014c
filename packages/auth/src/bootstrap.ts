import { generateToken, parseToken } from './token-format.js';
import { hashToken, isTokenHash } from './token-hash.js';

/** The environment variable holding the bootstrap token's hash (never the token). */
export const BOOTSTRAP_HASH_ENV = 'INTERCO_BOOTSTRAP_TOKEN_HASH';

/** The token id (the actor in events) of whoever uses the bootstrap token. */
export const BOOTSTRAP_TOKEN_ID = 'bootstrap';

const HOW_TO_MAKE =
  'make one with `pnpm --filter @interco/auth hash-token --new` after `pnpm build`, ' +
  'or hash an existing token with `printf %s "$TOKEN" | sha256sum`';

/**
 * A new bootstrap token and its hash: give the token to whoever sets Interco up (it is shown
 * once) and put the hash in INTERCO_BOOTSTRAP_TOKEN_HASH. The token has the usual format; its
 * own id is not used: it acts as `bootstrap`.
 */
export function mintBootstrapToken(): { token: string; hash: string } {
  const { token } = generateToken();
  return { token, hash: hashToken(token) };
}

/**
 * Checks a bootstrap hash (64 hex characters, either case; spaces around are dropped) and answers
 * it in lowercase. The error says what is wrong without repeating the value.
 */
export function parseBootstrapHash(value: string, source = BOOTSTRAP_HASH_ENV): string {
  const text = value.trim();
  if (parseToken(text) !== undefined) {
    throw new Error(
      `${source} holds a token, not a token's hash: keep the token out of the environment and put its SHA-256 hash there (${HOW_TO_MAKE})`,
    );
  }
  const hash = text.toLowerCase();
  if (!isTokenHash(hash)) {
    throw new Error(
      `${source} must be the SHA-256 hash of the bootstrap token, 64 hex characters; it has ${text.length} characters${
        /^[0-9a-fA-F]*$/.test(text) ? '' : ', not all of them hex'
      } (${HOW_TO_MAKE})`,
    );
  }
  return hash;
}

/**
 * The bootstrap hash from the environment, checked, or undefined when the variable is unset or
 * empty (then there is no bootstrap token). Call it at start: a bad value fails with a clear
 * message instead of refusing every bootstrap request later.
 */
export function bootstrapHashFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const value = env[BOOTSTRAP_HASH_ENV];
  if (value === undefined || value.trim() === '') return undefined;
  return parseBootstrapHash(value);
}
