import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatToken,
  generateToken,
  isTokenId,
  newTokenId,
  newTokenSecret,
  parseToken,
  TOKEN_LENGTH,
} from './token-format.js';

const id = 'abcdefgh2345';
const secret = Buffer.alloc(32, 7).toString('base64url');
const good = `ick_${id}_${secret}`;

describe('token format', () => {
  it('makes tokens ick_<12 base32 chars>_<43 base64url chars> that parse back to their parts', () => {
    for (let i = 0; i < 200; i++) {
      const made = generateToken();
      expect(made.token).toMatch(/^ick_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
      expect(made.token).toHaveLength(TOKEN_LENGTH);
      expect(TOKEN_LENGTH).toBe(60);
      expect(parseToken(made.token)).toEqual({ id: made.id, secret: made.secret });
      expect(Buffer.from(made.secret, 'base64url')).toHaveLength(32);
    }
  });

  it('makes different ids and secrets every time, using the whole base32 alphabet', () => {
    const ids = new Set(Array.from({ length: 2000 }, newTokenId));
    const secrets = new Set(Array.from({ length: 2000 }, newTokenSecret));
    expect(ids.size).toBe(2000);
    expect(secrets.size).toBe(2000);
    const letters = new Set([...ids].join(''));
    expect([...letters].sort().join('')).toBe('234567abcdefghijklmnopqrstuvwxyz');
  });

  it('parses a token whose secret holds "_" and "-" (the id ends at the second "_")', () => {
    const tricky = Buffer.from('ff'.repeat(32), 'hex').toString('base64url');
    expect(tricky).toContain('_');
    expect(parseToken(`ick_${id}_${tricky}`)).toEqual({ id, secret: tricky });
    const withDash = `${'-'.repeat(42)}A`;
    expect(parseToken(`ick_${id}_${withDash}`)).toEqual({ id, secret: withDash });
  });

  it.each([
    ['empty', ''],
    ['only the prefix', 'ick_'],
    ['another prefix', `ghp_${id}_${secret}`],
    ['an upper-case prefix', good.replace('ick_', 'ICK_')],
    ['an upper-case id', good.replace(id, id.toUpperCase())],
    ['an id with letters outside base32', good.replace(id, 'abcdefgh0189')],
    ['an id one short', `ick_${id.slice(1)}_${secret}`],
    ['an id one long', `ick_${id}a_${secret}`],
    ['a secret one short', good.slice(0, -1)],
    ['a secret one long', `${good}A`],
    ['padding', `${good.slice(0, -1)}=`],
    ['standard base64 characters', `${good.slice(0, -2)}+/`],
    ['a secret with stray bits (not canonical base64url)', `${good.slice(0, -1)}B`],
    ['a space before', ` ${good}`],
    ['a newline after', `${good}\n`],
    ['a missing separator', good.replace(`${id}_`, id)],
    ['the separators swapped for dashes', good.replace('ick_', 'ick-')],
    ['a non-ASCII letter', good.replace('a', 'á')],
    ['a Bearer prefix', `Bearer ${good}`],
  ])('refuses %s', (_name, text) => {
    expect(parseToken(text)).toBeUndefined();
  });

  it('accepts the same token without the changes above (the table changes a good token)', () => {
    expect(parseToken(good)).toEqual({ id, secret });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { token: good }],
    ['an array', [good]],
    ['a huge string', 'ick_'.repeat(1_000_000)],
  ])('refuses %s without throwing', (_name, value) => {
    expect(parseToken(value)).toBeUndefined();
  });

  it('never throws, and anything it accepts formats back to the same text (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc
            .tuple(fc.string({ maxLength: 14 }), fc.string({ minLength: 40, maxLength: 46 }))
            .map(([a, b]) => `ick_${a}_${b}`),
          fc
            .tuple(
              fc.stringMatching(/^[a-z2-7]{12}$/),
              fc.uint8Array({ minLength: 32, maxLength: 32 }),
              fc.nat(60),
              fc.string({ maxLength: 2 }),
            )
            .map(([i, bytes, at, junk]) => {
              const t = `ick_${i}_${Buffer.from(bytes).toString('base64url')}`;
              return t.slice(0, at) + junk + t.slice(at + junk.length);
            }),
        ),
        (text) => {
          const parts = parseToken(text);
          if (parts !== undefined) expect(formatToken(parts)).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('formatToken refuses parts that would not parse', () => {
    expect(() => formatToken({ id: 'short', secret })).toThrow('not in the Interco token format');
    expect(() => formatToken({ id, secret: 'x' })).toThrow('not in the Interco token format');
  });

  it('isTokenId says whether a value is an id in the format', () => {
    expect(isTokenId(id)).toBe(true);
    expect(isTokenId(newTokenId())).toBe(true);
    expect(isTokenId('bootstrap')).toBe(false);
    expect(isTokenId('ABCDEFGH2345')).toBe(false);
    expect(isTokenId('abc.efgh2345')).toBe(false);
    expect(isTokenId(12)).toBe(false);
  });
});
