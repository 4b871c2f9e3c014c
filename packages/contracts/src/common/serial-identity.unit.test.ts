import { describe, expect, it } from 'vitest';
import { nameKey } from './serial-identity.js';

describe('nameKey (ERPNext’s utf8mb4_unicode_ci identity)', () => {
  it.each([
    ['SN-1', 'sn-1'],
    ['PIN-É', 'pin-e'],
    ['Straße', 'STRASSE'],
    ['Ñandú', 'nandu'],
  ])('%s and %s are the same name', (a, b) => {
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it.each([
    ['SN-1', 'SN-2'],
    ['SN-1', 'SN 1'],
    ['0O', '00'],
  ])('%s and %s are different names', (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b));
  });
});
