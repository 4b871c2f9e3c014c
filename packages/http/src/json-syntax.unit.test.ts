import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax.js';

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonSyntaxError', () => {
  it.each([
    [
      '{"a":x}',
      5,
      'expected a value (an object, array, string in double quotes, number, true, false or null)',
    ],
    ['{"a":1', 6, 'the body ends before the JSON value does'],
    ['{"a" 1}', 5, 'expected ":" after a field name'],
    ['[1,]', 3, 'expected a value (an object, array, string in double quotes, number, true, false or null)'],
    ['{"a":"abc', 5, 'a string is not closed'],
    ['', 0, 'the body is empty'],
    ['  \n ', 4, 'the body is empty'],
    ['{"a":1}}', 7, 'unexpected content after the JSON value'],
    ['{"a":"\u0001"}', 6, 'a control character inside a string must be escaped'],
    ['{"a":01}', 6, 'expected "," or "}"'],
    ['{"a":"\\x"}', 6, 'an invalid escape in a string'],
    ['{"a":"\\u12g4"}', 6, 'a \\u escape needs four hex digits'],
    ["{'a':1}", 1, 'expected a field name in double quotes or "}"'],
    ['{"a":1,}', 7, 'expected a field name in double quotes'],
    ['[1 2]', 3, 'expected "," or "]"'],
    ['-', 0, 'a number is not written as JSON writes numbers'],
    ['tru', 0, 'expected a value (an object, array, string in double quotes, number, true, false or null)'],
  ])('%j fails at %i: %s', (text, position, reason) => {
    expect(isJson(text)).toBe(false);
    expect(findJsonSyntaxError(text)).toMatchObject({ position, reason });
  });

  it('gives the line and column', () => {
    expect(findJsonSyntaxError('{\n  "a": 1,\n  "b": ?\n}')).toEqual({
      position: 19,
      line: 3,
      column: 8,
      reason: 'expected a value (an object, array, string in double quotes, number, true, false or null)',
    });
  });

  it('never quotes the text', () => {
    const error = findJsonSyntaxError('{"serials":["SN-SECRET-1" "SN-SECRET-2"]}');
    expect(JSON.stringify(error)).not.toContain('SECRET');
  });

  it('copes with very deep nesting', () => {
    const text = `${'['.repeat(200_000)}${']'.repeat(199_999)}`;
    expect(findJsonSyntaxError(text)?.reason).toBe('the body ends before the JSON value does');
  });

  it('agrees with JSON.parse on what is JSON', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(findJsonSyntaxError(text)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(
        fc.json(),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', 'x', ':', '\u0001'),
        (text, at, junk) => {
          const i = at % (text.length + 1);
          const changed = text.slice(0, i) + junk + text.slice(i + (junk === '' ? 1 : 0));
          expect(findJsonSyntaxError(changed) === undefined).toBe(isJson(changed));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
