/**
 * Serials without `serials:read`: each is shown as a mask, never its value (the serials request
 * is not even made; the count comes from the request summary). Pure.
 */
export const SERIAL_MASK = '••••';

/** The masked line for a count of serials: `•••• × 12`. */
export function maskedSerials(count: number): string {
  return `${SERIAL_MASK} × ${count.toLocaleString()}`;
}
