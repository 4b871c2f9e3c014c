import { describe, expect, it } from 'vitest';
import { PythonJsonError, parseJsonBody, pythonJsonLoads, RejectedBody } from './request-body.js';

// CPython's json.loads (C scanner, Python 3.10-3.12 as Frappe v15 runs): message and position.
describe('pythonJsonLoads', () => {
  it.each([
    ['{', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
    ['{"a":1,}', 'Expecting property name enclosed in double quotes: line 1 column 8 (char 7)'],
    ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
    ['{"a": 1 "b": 2}', "Expecting ',' delimiter: line 1 column 9 (char 8)"],
    ['[1,]', 'Expecting value: line 1 column 4 (char 3)'],
    ['[1 2]', "Expecting ',' delimiter: line 1 column 4 (char 3)"],
    ['not json', 'Expecting value: line 1 column 1 (char 0)'],
    ['tru', 'Expecting value: line 1 column 1 (char 0)'],
    ['-', 'Expecting value: line 1 column 1 (char 0)'],
    ['1.', 'Extra data: line 1 column 2 (char 1)'],
    ['[1] x', 'Extra data: line 1 column 5 (char 4)'],
    ['"abc', 'Unterminated string starting at: line 1 column 1 (char 0)'],
    ['"a\nb"', 'Invalid control character at: line 1 column 3 (char 2)'],
    ['"\\x"', 'Invalid \\escape: line 1 column 2 (char 1)'],
    ['"\\u12g4"', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
    ['{\n  "a": [\n    1,\n  ]\n}', 'Expecting value: line 4 column 3 (char 20)'],
    ['\ufeff{}', 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)'],
    ['["é", x]', 'Expecting value: line 1 column 7 (char 6)'],
  ])('%j fails with %s', (text, message) => {
    expect(() => pythonJsonLoads(text)).toThrow(PythonJsonError);
    expect(() => pythonJsonLoads(text)).toThrow(message);
  });

  it('accepts what Python accepts and JSON.parse does not', () => {
    expect(pythonJsonLoads('[NaN, Infinity, -Infinity]')).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(pythonJsonLoads('{"a": "\\ud83d\\ude00", "b": [1e2, -0.5]}')).toEqual({ a: '😀', b: [100, -0.5] });
  });

  it('turns a body into arguments: objects and arrays pass, the rest is rejected', () => {
    expect(parseJsonBody('')).toEqual({});
    expect(parseJsonBody('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonBody('[1]')).toEqual([1]);
    const bad = parseJsonBody('{x');
    expect(bad).toBeInstanceOf(RejectedBody);
    if (bad instanceof RejectedBody) expect(bad.reject().excType).toBe('JSONDecodeError');
    const scalar = parseJsonBody('42');
    if (!(scalar instanceof RejectedBody)) throw new Error('not rejected');
    expect(scalar.reject()).toMatchObject({
      excType: 'ValidationError',
      message: 'Invalid request arguments',
    });
  });
});
