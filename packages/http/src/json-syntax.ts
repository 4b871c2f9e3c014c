/**
 * Where a text stops being JSON, for a 400 that says where: JSON.parse's own messages vary and
 * quote a piece of the body (which may hold serial numbers), so the body is scanned again here
 * (only after JSON.parse refused it) and the answer says where and what, never what was there.
 * Iterative (no recursion): a deeply nested body cannot exhaust the stack.
 */

export interface JsonSyntaxError {
  /** 0-based offset in the text, in UTF-16 code units. */
  readonly position: number;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
  /** What was expected or found, in words; never a piece of the text. */
  readonly reason: string;
}

type Expect = 'value' | 'value_or_close' | 'key_or_close' | 'key' | 'colon' | 'comma_or_close' | 'end';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;
const LITERALS = ['true', 'false', 'null'] as const;

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const stack: Array<'{' | '['> = [];
  let expect: Expect = 'value';
  let i = 0;
  const fail = (position: number, reason: string) => located(text, position, reason);
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'comma_or_close');

  for (;;) {
    while (i < text.length && WHITESPACE.has(text.charAt(i))) i++;
    if (i >= text.length) {
      if (expect === 'end') return undefined;
      return fail(i, text.trim() === '' ? 'the body is empty' : 'the body ends before the JSON value does');
    }
    const c = text.charAt(i);
    switch (expect) {
      case 'end':
        return fail(i, 'unexpected content after the JSON value');
      case 'colon':
        if (c !== ':') return fail(i, 'expected ":" after a field name');
        i++;
        expect = 'value';
        continue;
      case 'comma_or_close': {
        const open = stack.at(-1);
        const close = open === '{' ? '}' : ']';
        if (c === ',') {
          i++;
          expect = open === '{' ? 'key' : 'value';
        } else if (c === close) {
          stack.pop();
          i++;
          expect = afterValue();
        } else {
          return fail(i, `expected "," or "${close}"`);
        }
        continue;
      }
      case 'key_or_close':
      case 'key': {
        if (expect === 'key_or_close' && c === '}') {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (c !== '"') {
          return fail(
            i,
            expect === 'key'
              ? 'expected a field name in double quotes'
              : 'expected a field name in double quotes or "}"',
          );
        }
        const end = scanString(text, i);
        if (typeof end !== 'number') return fail(end.position, end.reason);
        i = end;
        expect = 'colon';
        continue;
      }
      case 'value_or_close':
      case 'value': {
        if (expect === 'value_or_close' && c === ']') {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'key_or_close' : 'value_or_close';
          continue;
        }
        if (c === '"') {
          const end = scanString(text, i);
          if (typeof end !== 'number') return fail(end.position, end.reason);
          i = end;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          const match = NUMBER.exec(text);
          if (match === null) return fail(i, 'a number is not written as JSON writes numbers');
          i += match[0].length;
        } else {
          const literal = LITERALS.find((word) => text.startsWith(word, i));
          if (literal === undefined) {
            return fail(
              i,
              'expected a value (an object, array, string in double quotes, number, true, false or null)',
            );
          }
          i += literal.length;
        }
        expect = afterValue();
        continue;
      }
    }
  }
}

/** The offset after a string starting at `start` (a `"`), or why it is not a JSON string. */
function scanString(text: string, start: number): number | { position: number; reason: string } {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return { position: i, reason: 'a control character inside a string must be escaped' };
    if (code === 0x5c) {
      const next = text.charAt(i + 1);
      if (next === 'u') {
        if (!HEX4.test(text.slice(i + 2, i + 6))) {
          return { position: i, reason: 'a \\u escape needs four hex digits' };
        }
        i += 6;
        continue;
      }
      if (!ESCAPES.has(next)) return { position: i, reason: 'an invalid escape in a string' };
      i += 2;
      continue;
    }
    i++;
  }
  return { position: start, reason: 'a string is not closed' };
}

function located(text: string, position: number, reason: string): JsonSyntaxError {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { position, line, column: position - lineStart + 1, reason };
}
