import { describe, expect, it } from 'vitest';
import { CliFailure } from './failure.js';
import { parseJsonText } from './json-text.js';

function message(text: string): string {
  try {
    parseJsonText(text, 'the file f.json');
  } catch (error) {
    if (error instanceof CliFailure) return error.message;
    throw error;
  }
  throw new Error('it parsed');
}

describe('parseJsonText', () => {
  it('parses JSON', () => {
    expect(parseJsonText('{"a": [1]}', 'f')).toEqual({ a: [1] });
  });

  it('says where the text stops being JSON (line and column), never what is there', () => {
    const cases: [string, string][] = [
      ['ick_abcdefghijkl_secret\n', 'the file f.json is not JSON at line 1, column 1'],
      ['{"a": 1,\n  "b": ick_secret}', 'the file f.json is not JSON at line 2, column 8'],
      ['{"a": 1', 'the file f.json is not JSON at line 1, column 8'],
      ['{"a": 1}}', 'the file f.json is not JSON at line 1, column 9'],
      ['[1, 2,\n\n  ]', 'the file f.json is not JSON at line 3, column 3'],
      ['  \n', 'the file f.json is not JSON: it is empty'],
    ];
    for (const [text, expected] of cases) {
      const said = message(text);
      expect(said, text).toBe(expected);
      expect(said).not.toContain('ick');
    }
  });
});
