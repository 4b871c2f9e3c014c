import { KindGuard, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export type Conversion = { ok: true; value: unknown } | { ok: false };

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Turns an environment variable's text into the value its schema wants: integers, numbers and
 * booleans are converted (strictly: `12abc` is not 12), literals and unions are matched member by
 * member, strings are kept as they are. The result is not checked against the schema yet.
 */
export function convert(schema: TSchema, raw: string): Conversion {
  if (KindGuard.IsUnion(schema)) {
    for (const member of schema.anyOf) {
      const converted = convert(member, raw);
      if (converted.ok && Value.Check(member, converted.value)) return converted;
    }
    return { ok: false };
  }
  if (KindGuard.IsLiteral(schema)) {
    if (typeof schema.const === 'number') return toNumber(raw);
    if (typeof schema.const === 'boolean') return toBoolean(raw);
    return { ok: true, value: raw };
  }
  if (KindGuard.IsInteger(schema)) return toInteger(raw);
  if (KindGuard.IsNumber(schema)) return toNumber(raw);
  if (KindGuard.IsBoolean(schema)) return toBoolean(raw);
  return { ok: true, value: raw };
}

function toInteger(raw: string): Conversion {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) return { ok: false };
  const value = Number(text);
  return Number.isSafeInteger(value) ? { ok: true, value } : { ok: false };
}

function toNumber(raw: string): Conversion {
  const text = raw.trim();
  // Number('') is 0 and Number('0x10') is 16: only plain decimal notation is a number here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return { ok: false };
  const value = Number(text);
  return Number.isFinite(value) ? { ok: true, value } : { ok: false };
}

function toBoolean(raw: string): Conversion {
  const text = raw.trim().toLowerCase();
  if (TRUE.has(text)) return { ok: true, value: true };
  if (FALSE.has(text)) return { ok: true, value: false };
  return { ok: false };
}
