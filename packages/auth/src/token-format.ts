import { randomBytes } from 'node:crypto';

/** Every Interco token starts with this (then `_`): easy to spot in a leak scanner. */
export const TOKEN_PREFIX = 'ick';

/** Token ids: lowercase RFC 4648 base32 letters, safe as KV keys, subject tokens and URL segments. */
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Characters in a token id: 12 base32 characters are 60 random bits. */
export const TOKEN_ID_LENGTH = 12;

/** Random bytes in a token's secret (base64url without padding: 43 characters). */
export const TOKEN_SECRET_BYTES = 32;

const SECRET_LENGTH = Math.ceil((TOKEN_SECRET_BYTES * 4) / 3);

/** `ick_<id>_<secret>`: the whole token is 60 characters. */
export const TOKEN_LENGTH = TOKEN_PREFIX.length + 1 + TOKEN_ID_LENGTH + 1 + SECRET_LENGTH;

const ID_PATTERN = new RegExp(`^[${ID_ALPHABET}]{${TOKEN_ID_LENGTH}}$`);
const TOKEN_PATTERN = new RegExp(
  `^${TOKEN_PREFIX}_([${ID_ALPHABET}]{${TOKEN_ID_LENGTH}})_([A-Za-z0-9_-]{${SECRET_LENGTH}})$`,
);

/** A token's two parts. The id is public (it is the actor in events); the secret is not. */
export interface TokenParts {
  readonly id: string;
  readonly secret: string;
}

/** A new random token id (12 base32 characters). */
export function newTokenId(): string {
  // 256 is a multiple of 32, so taking 5 bits of each byte is unbiased.
  return Array.from(randomBytes(TOKEN_ID_LENGTH), (byte) => ID_ALPHABET.charAt(byte & 31)).join('');
}

/** A new random secret: 32 bytes, base64url without padding. */
export function newTokenSecret(): string {
  return randomBytes(TOKEN_SECRET_BYTES).toString('base64url');
}

/** A new token with its parts. */
export function generateToken(): TokenParts & { readonly token: string } {
  const parts = { id: newTokenId(), secret: newTokenSecret() };
  return { ...parts, token: formatToken(parts) };
}

export function formatToken(parts: TokenParts): string {
  const token = `${TOKEN_PREFIX}_${parts.id}_${parts.secret}`;
  if (parseToken(token) === undefined) throw new Error('token parts are not in the Interco token format');
  return token;
}

/** Whether a value is a token id in the format (not whether such a token exists). */
export function isTokenId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * The parts of a token, or undefined for anything that is not exactly `ick_<id>_<secret>`: no
 * surrounding spaces, lowercase id, 43 base64url characters that decode to 32 bytes and encode
 * back the same (no padding, no stray bits). Never throws, and says nothing about the input.
 */
export function parseToken(value: unknown): TokenParts | undefined {
  if (typeof value !== 'string' || value.length !== TOKEN_LENGTH) return undefined;
  const match = TOKEN_PATTERN.exec(value);
  const id = match?.[1];
  const secret = match?.[2];
  if (id === undefined || secret === undefined) return undefined;
  const bytes = Buffer.from(secret, 'base64url');
  if (bytes.length !== TOKEN_SECRET_BYTES || bytes.toString('base64url') !== secret) return undefined;
  return { id, secret };
}
