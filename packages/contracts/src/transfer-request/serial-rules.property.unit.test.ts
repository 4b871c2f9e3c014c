import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameKey } from '../common/serial-identity.js';
import { planRequest } from './fixtures/requests.js';
import { SERIAL_PATTERN, TransferRequest } from './transfer-request.schema.js';
import { validateTransferRequest } from './validate.js';

const normalized = TypeCompiler.Compile(TransferRequest);
const KEPT_WHOLE = new RegExp(SERIAL_PATTERN);

/** Serials as people write them: letters, digits, punctuation, accents, inner spaces. */
const serial = fc
  .array(fc.constantFrom(...'ABCDEFXYZabcxyz0123456789-_/.#: ÉéÑñß'), { minLength: 1, maxLength: 40 })
  .map((chars) => chars.join('').trim())
  .filter((s) => s.length > 0);

/** Any Unicode text that ERPNext would keep as one serial. */
const unicodeSerial = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 60 })
  .map((s) => s.trim())
  .filter((s) => s.length > 0 && s.length <= 140 && KEPT_WHOLE.test(s));

const uniqueSerials = (arb: fc.Arbitrary<string>) =>
  fc.uniqueArray(arb, { selector: nameKey, minLength: 1, maxLength: 40 });
const whitespace = fc
  .array(fc.constantFrom(' ', '\t', '\n', '\r\n'), { maxLength: 3 })
  .map((a) => a.join(''));

function request(serials: string[]) {
  const body = planRequest();
  body.items = [{ item_code: 'PIN-001', qty: serials.length, rate: '10.50', serials }];
  return body;
}

function problemsOf(serials: string[]) {
  const result = validateTransferRequest(request(serials));
  return result.ok ? [] : result.problems;
}

describe('serial rules (properties)', () => {
  it('distinct valid serials pass and come out as given, in a valid TransferRequest', () => {
    fc.assert(
      fc.property(fc.oneof(uniqueSerials(serial), uniqueSerials(unicodeSerial)), (serials) => {
        const result = validateTransferRequest(request(serials));
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.value.items[0]?.serials).toEqual(serials);
        expect(normalized.Check(result.value)).toBe(true);
      }),
    );
  });

  it('surrounding whitespace is trimmed away', () => {
    fc.assert(
      fc.property(uniqueSerials(serial), whitespace, whitespace, (serials, before, after) => {
        const result = validateTransferRequest(request(serials.map((s) => `${before}${s}${after}`)));
        expect(result.ok && result.value.items[0]?.serials).toEqual(serials);
      }),
    );
  });

  it('a comma anywhere in a serial is reported at that serial and nowhere else', () => {
    fc.assert(
      fc.property(uniqueSerials(serial), fc.nat(), fc.nat(), (serials, which, where) => {
        const k = which % serials.length;
        const s = serials[k] ?? '';
        const at = where % (s.length + 1);
        const broken = serials.with(k, `${s.slice(0, at)},${s.slice(at)}`);
        const problems = problemsOf(broken);
        expect(problems).toContainEqual({
          path: `items[0].serials[${k}]`,
          message: 'must not contain a comma (ERPNext splits serial numbers on commas)',
        });
        expect(problems.filter((p) => !p.message.startsWith('repeats'))).toHaveLength(1);
      }),
    );
  });

  it('a line break inside a serial is reported at that serial', () => {
    fc.assert(
      fc.property(
        uniqueSerials(serial),
        fc.nat(),
        fc.constantFrom('\n', '\r', '\r\n', '\u2028'),
        (serials, which, br) => {
          const k = which % serials.length;
          const broken = serials.with(k, `X${br}${serials[k]}`);
          expect(problemsOf(broken)).toContainEqual({
            path: `items[0].serials[${k}]`,
            message: 'must not contain a line break (ERPNext splits serial numbers on line breaks)',
          });
        },
      ),
    );
  });

  it('a repeat in any letter case is reported at the later place, naming the first', () => {
    fc.assert(
      fc.property(uniqueSerials(serial), fc.nat(), fc.nat(), fc.boolean(), (serials, from, to, upper) => {
        const i = from % serials.length;
        const original = serials[i] ?? '';
        const copy = upper ? original.toUpperCase() : original.toLowerCase();
        const j = to % (serials.length + 1);
        const withRepeat = [...serials.slice(0, j), copy, ...serials.slice(j)];
        const [first, later] = j <= i ? [j, i + 1] : [i, j];
        expect(problemsOf(withRepeat)).toEqual([
          {
            path: `items[0].serials[${later}]`,
            message: `repeats items[0].serials[${first}] (serial numbers compare case-insensitively, as in ERPNext)`,
          },
        ]);
      }),
    );
  });

  it('never throws, and every answer is either a valid request or problems with paths and messages', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything()), (body) => {
        const result = validateTransferRequest(body);
        if (result.ok) expect(normalized.Check(result.value)).toBe(true);
        else {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const p of result.problems)
            expect(typeof p.path === 'string' && p.message.length > 0).toBe(true);
        }
      }),
    );
  });
});
