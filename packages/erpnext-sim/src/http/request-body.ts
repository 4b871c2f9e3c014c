import { FrappeError, raisedMessage } from '../frappe/errors.js';

/**
 * Request bodies as frappe/app.py make_form_dict reads them: a body sent as JSON
 * (werkzeug's `request.is_json`: application/json or application/*+json) is loaded with Python's
 * `json.loads`, before the request is routed. What does not parse fails the request with
 * json.decoder.JSONDecodeError (a 500); JSON that is neither an object nor an array fails with
 * "Invalid request arguments" (417). Such a body reaches the routes as a RejectedBody, which
 * they raise inside the request (so the error is answered like any other Frappe error).
 */

export class RejectedBody {
  constructor(readonly reject: () => FrappeError) {}
}

/** werkzeug Request.is_json. */
export function isJsonContentType(contentType: string | undefined): boolean {
  const mimetype = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    mimetype === 'application/json' || (mimetype.startsWith('application/') && mimetype.endsWith('+json'))
  );
}

/** A JSON body: `{}` when empty, the parsed object or array, else a RejectedBody. */
export function parseJsonBody(text: string): unknown {
  // make_form_dict: `if request_data and request.is_json` (an empty body is no arguments)
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = pythonJsonLoads(text);
    } catch (error) {
      if (!(error instanceof PythonJsonError)) throw error;
      const message = error.message;
      return new RejectedBody(() => new FrappeError('JSONDecodeError', message));
    }
  }
  if (typeof value === 'object' && value !== null) return value;
  // make_form_dict: neither a dict nor a list
  return new RejectedBody(
    () =>
      new FrappeError('ValidationError', 'Invalid request arguments', [
        raisedMessage('Invalid request arguments'),
      ]),
  );
}

/** Raises what the body carries when it was rejected. */
export function assertBodyAccepted(body: unknown): void {
  if (body instanceof RejectedBody) throw body.reject();
}

// ---------------------------------------------------------------------------------------------
// Python's json.loads (CPython's C scanner, Lib/json/decoder.py), for its error messages
// ---------------------------------------------------------------------------------------------

/** json.decoder.JSONDecodeError: `{msg}: line {l} column {c} (char {pos})`, positions in code points. */
class PythonJsonError extends Error {
  constructor(msg: string, chars: readonly string[], pos: number) {
    let line = 1;
    let lastBreak = -1;
    for (let i = 0; i < pos; i++) {
      if (chars[i] === '\n') {
        line += 1;
        lastBreak = i;
      }
    }
    super(`${msg}: line ${line} column ${pos - lastBreak} (char ${pos})`);
  }
}

/** raise_stop_iteration: no JSON value starts at `pos` ("Expecting value" where it surfaces). */
class StopIteration extends Error {
  constructor(readonly pos: number) {
    super('StopIteration');
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

/**
 * json.loads(text) for a text JSON.parse refused: either Python's error, or the value when
 * Python accepts what JavaScript does not (NaN, Infinity, -Infinity).
 */
export function pythonJsonLoads(text: string): unknown {
  const s = Array.from(text);
  if (s[0] === '\ufeff') throw new PythonJsonError('Unexpected UTF-8 BOM (decode using utf-8-sig)', s, 0);
  const skip = (idx: number) => {
    let i = idx;
    while (i < s.length && WHITESPACE.has(s[i] ?? '')) i++;
    return i;
  };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

  const scanString = (start: number): [string, number] => {
    const begin = start - 1;
    let end = start;
    let out = '';
    for (;;) {
      let next = end;
      let c = '';
      for (; next < s.length; next++) {
        c = s[next] ?? '';
        if (c === '"' || c === '\\') break;
        if (c.charCodeAt(0) <= 0x1f) throw new PythonJsonError('Invalid control character at', s, next);
      }
      if (next >= s.length) throw new PythonJsonError('Unterminated string starting at', s, begin);
      out += s.slice(end, next).join('');
      next++;
      if (c === '"') return [out, next];
      if (next === s.length) throw new PythonJsonError('Unterminated string starting at', s, begin);
      const escaped = s[next] ?? '';
      if (escaped !== 'u') {
        end = next + 1;
        const decoded = SIMPLE_ESCAPES.get(escaped);
        if (decoded === undefined) throw new PythonJsonError('Invalid \\escape', s, end - 2);
        out += decoded;
        continue;
      }
      next++;
      end = next + 4;
      if (end >= s.length) throw new PythonJsonError('Invalid \\uXXXX escape', s, next - 1);
      const hex = (from: number) => {
        const digits = s.slice(from, from + 4).join('');
        if (!/^[0-9a-fA-F]{4}$/.test(digits))
          throw new PythonJsonError('Invalid \\uXXXX escape', s, from - 1);
        return Number.parseInt(digits, 16);
      };
      let code = hex(next);
      if (code >= 0xd800 && code <= 0xdbff && end + 6 < s.length && s[end] === '\\' && s[end + 1] === 'u') {
        const low = hex(end + 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          end += 6;
        }
      }
      out += String.fromCodePoint(code);
    }
  };

  const matchNumber = (start: number): [number, number] => {
    let idx = start;
    if (s[idx] === '-') {
      idx++;
      if (idx >= s.length) throw new StopIteration(start);
    }
    const first = s[idx];
    if (first !== undefined && first >= '1' && first <= '9') {
      idx++;
      while (isDigit(s[idx])) idx++;
    } else if (first === '0') idx++;
    else throw new StopIteration(start);
    if (idx < s.length - 1 && s[idx] === '.' && isDigit(s[idx + 1])) {
      idx += 2;
      while (isDigit(s[idx])) idx++;
    }
    if (idx < s.length - 1 && (s[idx] === 'e' || s[idx] === 'E')) {
      const eStart = idx;
      idx++;
      if (idx < s.length - 1 && (s[idx] === '-' || s[idx] === '+')) idx++;
      while (isDigit(s[idx])) idx++;
      if (!isDigit(s[idx - 1])) idx = eStart;
    }
    return [Number(s.slice(start, idx).join('')), idx];
  };

  const constants: Array<[string, unknown]> = [
    ['null', null],
    ['true', true],
    ['false', false],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ];

  const scanOnce = (idx: number): [unknown, number] => {
    if (idx >= s.length) throw new StopIteration(idx);
    const c = s[idx];
    if (c === '"') return scanString(idx + 1);
    if (c === '{') return parseObject(idx + 1);
    if (c === '[') return parseArray(idx + 1);
    for (const [word, value] of constants) {
      if (s.slice(idx, idx + word.length).join('') === word) return [value, idx + word.length];
    }
    return matchNumber(idx);
  };

  const parseObject = (start: number): [Record<string, unknown>, number] => {
    const out: Record<string, unknown> = {};
    let idx = skip(start);
    if (idx >= s.length || s[idx] !== '}') {
      for (;;) {
        if (idx >= s.length || s[idx] !== '"')
          throw new PythonJsonError('Expecting property name enclosed in double quotes', s, idx);
        const [key, afterKey] = scanString(idx + 1);
        idx = skip(afterKey);
        if (idx >= s.length || s[idx] !== ':') throw new PythonJsonError("Expecting ':' delimiter", s, idx);
        idx = skip(idx + 1);
        const [value, afterValue] = scanOnce(idx);
        out[key] = value;
        idx = skip(afterValue);
        if (idx < s.length && s[idx] === '}') break;
        if (idx >= s.length || s[idx] !== ',') throw new PythonJsonError("Expecting ',' delimiter", s, idx);
        idx = skip(idx + 1);
      }
    }
    return [out, idx + 1];
  };

  const parseArray = (start: number): [unknown[], number] => {
    const out: unknown[] = [];
    let idx = skip(start);
    if (idx >= s.length || s[idx] !== ']') {
      for (;;) {
        const [value, afterValue] = scanOnce(idx);
        out.push(value);
        idx = skip(afterValue);
        if (idx < s.length && s[idx] === ']') break;
        if (idx >= s.length || s[idx] !== ',') throw new PythonJsonError("Expecting ',' delimiter", s, idx);
        idx = skip(idx + 1);
      }
    }
    return [out, idx + 1];
  };

  // JSONDecoder.decode / raw_decode
  let value: unknown;
  let end: number;
  try {
    [value, end] = scanOnce(skip(0));
  } catch (error) {
    if (error instanceof StopIteration) throw new PythonJsonError('Expecting value', s, error.pos);
    throw error;
  }
  end = skip(end);
  if (end !== s.length) throw new PythonJsonError('Extra data', s, end);
  return value;
}

export { PythonJsonError };
