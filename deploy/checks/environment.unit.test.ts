import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { composeValue, type EnvValue, envProblems, maybeMissing } from './environment.js';

const schema = Type.Object({
  TOKEN_HASH: Type.String({ minLength: 1 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
});

/** Compose's `${inner}`, written so. */
const ref = (inner: string) => `\${${inner}}`;

function problemsWith(raw: string): string[] {
  return envProblems(schema, new Map<string, EnvValue>([['TOKEN_HASH', composeValue(raw)]]));
}

describe('composeValue', () => {
  it('reads literals and the interpolation forms of compose', () => {
    expect(composeValue('abc')).toEqual({ kind: 'literal', value: 'abc' });
    expect(composeValue(ref('X'))).toEqual({ kind: 'external', from: 'X', mandatory: false });
    expect(composeValue(ref('X:?set X'))).toEqual({ kind: 'external', from: 'X', mandatory: true });
    expect(composeValue(ref('X?set X'))).toMatchObject({ mandatory: false, emptyPasses: true });
    expect(composeValue(ref('X:-d'))).toEqual({
      kind: 'external',
      from: 'X',
      fallback: 'd',
      mandatory: false,
    });
    expect(composeValue(ref('X-d'))).toMatchObject({ fallback: 'd', emptyPasses: true });
    expect(() => composeValue(`a${ref('X')}`)).toThrow(/partly interpolated/);
  });
});

describe('envProblems: a required variable', () => {
  it.each([[ref('TOKEN_HASH:?TOKEN_HASH is not set')], [ref('TOKEN_HASH:-abc')], ['abc']])(
    'is sure to be set by %s',
    (raw) => {
      expect(problemsWith(raw)).toEqual([]);
    },
  );

  it.each([
    // An empty value counts as unset when the service starts.
    [ref('TOKEN_HASH:-')],
    [ref('TOKEN_HASH-')],
    [ref('TOKEN_HASH')],
    // Without the colon, a variable set to the empty string passes through.
    [ref('TOKEN_HASH?TOKEN_HASH is not set')],
    [ref('TOKEN_HASH-abc')],
    [''],
  ])('may be missing or empty with %s', (raw) => {
    expect(problemsWith(raw).join('\n')).toMatch(/TOKEN_HASH is required/);
    expect(maybeMissing(composeValue(raw))).toBe(true);
  });

  it('is reported when it is not set at all, and unknown variables too', () => {
    expect(envProblems(schema, new Map())).toEqual(['TOKEN_HASH is required and not set']);
    const typo = new Map<string, EnvValue>([
      ['TOKEN_HASH', { kind: 'literal', value: 'x' }],
      ['LOG_LEVL', { kind: 'literal', value: 'x' }],
    ]);
    expect(envProblems(schema, typo).join('\n')).toMatch(/LOG_LEVL is not a variable/);
  });
});
