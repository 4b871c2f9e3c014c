/**
 * Serials without `serials:read`: each is shown as a mask, never its value (the serials request
 * is not even made; the count comes from the request summary). Pure.
 */
export const SERIAL_MASK = '••••';

/** A serial as shown: itself with the scope, else the mask. */
export function shownSerial(serial: string, canRead: boolean): string {
  return canRead ? serial : SERIAL_MASK;
}

/** The masked line for a count of serials: `•••• × 12`. */
export function maskedSerials(count: number): string {
  return `${SERIAL_MASK} × ${count.toLocaleString()}`;
}
