/**
 * Money amounts as decimal strings, never through floating-point arithmetic.
 *
 * ERPNext stores Currency fields as decimal(21,9): at most 12 digits before the point. Interco
 * accepts at most 2 decimals and keeps amounts as canonical strings ("10.50").
 */
export const MAX_INTEGER_DIGITS = 12;
export const MAX_DECIMALS = 2;

export type DecimalResult = { ok: true; value: string } | { ok: false; message: string };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative amount given as a JSON number or a decimal string into its canonical
 * string with exactly two decimals. A JSON number is read through its shortest round-trip text
 * (`String(n)`), which is the text the sender wrote, less trailing zeros: no arithmetic is done.
 */
export function parseAmount(input: number | string): DecimalResult {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const match = DECIMAL.exec(text);
  if (!match) {
    return { ok: false, message: 'must be a plain decimal number such as 10 or 10.50' };
  }
  const [, sign = '', whole = '', fraction = ''] = match;
  const digits = whole.replace(/^0+(?=\d)/, '');
  const isZero = /^0*$/.test(whole) && /^0*$/.test(fraction);
  if (sign === '-' && !isZero) return { ok: false, message: 'must not be negative' };
  if (fraction.replace(/0+$/, '').length > MAX_DECIMALS) {
    return { ok: false, message: `must have at most ${MAX_DECIMALS} decimal places` };
  }
  if (digits.length > MAX_INTEGER_DIGITS) {
    return { ok: false, message: `must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point` };
  }
  const cents = fraction.padEnd(MAX_DECIMALS, '0').slice(0, MAX_DECIMALS);
  return { ok: true, value: `${digits}.${cents}` };
}

/** Canonical amount: what parseAmount produces. */
export const AMOUNT_PATTERN = `^(0|[1-9]\\d{0,${MAX_INTEGER_DIGITS - 1}})\\.\\d{${MAX_DECIMALS}}$`;
