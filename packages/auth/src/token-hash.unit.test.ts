import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { generateToken } from './token-format.js';
import { hashesEqual, hashToken, isTokenHash, tokenMatchesHash } from './token-hash.js';

const spy = vi.hoisted(() => ({ calls: [] as Array<[Buffer, Buffer]> }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return {
    ...crypto,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      spy.calls.push([
        Buffer.from(a.buffer, a.byteOffset, a.byteLength),
        Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      ]);
      return crypto.timingSafeEqual(a, b);
    },
  };
});

const token = 'ick_abcdefgh2345_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc';

describe('token hash', () => {
  beforeEach(() => {
    spy.calls.length = 0;
  });

  it('is SHA-256 of the whole token, lowercase hex (what `printf %s "$TOKEN" | sha256sum` prints)', () => {
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    // a fixed vector, so a change of algorithm or encoding cannot slip through
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(isTokenHash(hashToken(token))).toBe(true);
    expect(hashToken(token)).not.toContain(token.slice(17));
  });

  it('binds the hash to the id: the same secret under another id hashes differently', () => {
    const other = token.replace('abcdefgh2345', 'abcdefgh2346');
    expect(hashToken(other)).not.toBe(hashToken(token));
  });

  it('compares hashes with crypto.timingSafeEqual on two 32-byte buffers', () => {
    const hash = hashToken(token);
    expect(hashesEqual(hash, hashToken(token))).toBe(true);
    expect(hashesEqual(hash, hashToken(`${token.slice(0, -1)}d`))).toBe(false);
    expect(spy.calls).toHaveLength(2);
    for (const [a, b] of spy.calls) {
      expect(a).toHaveLength(32);
      expect(b).toHaveLength(32);
    }
  });

  it('a hash differing only in its last character is unequal', () => {
    const hash = hashToken(token);
    const last = hash.endsWith('0') ? '1' : '0';
    expect(hashesEqual(hash, `${hash.slice(0, -1)}${last}`)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['too short', 'ab'.repeat(31)],
    ['too long', 'ab'.repeat(33)],
    ['upper case', 'AB'.repeat(32)],
    ['not hex', 'zz'.repeat(32)],
    ['the token itself', token],
  ])(
    'a value that is not a stored hash (%s) is unequal, without reaching timingSafeEqual or throwing',
    (_n, value) => {
      const hash = hashToken(token);
      expect(hashesEqual(hash, value)).toBe(false);
      expect(hashesEqual(value, hash)).toBe(false);
      expect(spy.calls).toHaveLength(0);
    },
  );

  it('tokenMatchesHash checks a token against a stored hash', () => {
    const made = generateToken();
    const stored = hashToken(made.token);
    expect(tokenMatchesHash(made.token, stored)).toBe(true);
    expect(tokenMatchesHash(generateToken().token, stored)).toBe(false);
    expect(tokenMatchesHash(made.token, 'not-a-hash')).toBe(false);
  });
});
