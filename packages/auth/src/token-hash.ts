import { createHash, timingSafeEqual } from 'node:crypto';

/** A stored token hash: SHA-256, 64 lowercase hex characters. */
export const TOKEN_HASH_PATTERN = '^[0-9a-f]{64}$';
const HASH_REGEXP = new RegExp(TOKEN_HASH_PATTERN);
const HASH_BYTES = 32;

/**
 * The hash stored for a token: SHA-256 of the whole token text (`ick_<id>_<secret>`), lowercase
 * hex, the same as `printf %s "$TOKEN" | sha256sum`.
 *
 * A fast hash is right here. Slow password hashes (bcrypt, scrypt, Argon2) make guessing
 * low-entropy passwords expensive; a token's secret is 32 random bytes, so there is nothing to
 * guess: finding a token from its hash means a SHA-256 preimage of a 256-bit random value. A
 * slow hash would only cost CPU on every request (and hand out a way to burn it). HMAC with a
 * server key would add a second secret to manage and protect against nothing more. Hashing the
 * whole token, id included, binds a hash to its id: a hash copied onto another record matches
 * nothing.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a value has the shape of a stored hash (64 lowercase hex characters). */
export function isTokenHash(value: unknown): value is string {
  return typeof value === 'string' && HASH_REGEXP.test(value);
}

/**
 * Compares two hashes in constant time (`crypto.timingSafeEqual` on two 32-byte buffers), so the
 * time taken says nothing about how much of a stored hash a guess got right. Anything that is not
 * a hash in the stored shape is simply unequal.
 */
export function hashesEqual(a: string, b: string): boolean {
  if (!isTokenHash(a) || !isTokenHash(b)) return false;
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) return false;
  return timingSafeEqual(left, right);
}

/** Whether `token` is the one `storedHash` was made from (constant-time comparison). */
export function tokenMatchesHash(token: string, storedHash: string): boolean {
  return hashesEqual(hashToken(token), storedHash);
}
