import { describe, expect, it } from 'vitest';
import { filterSerials, maskedSerials, SERIAL_MASK, shownSerial } from './masking.js';

describe('masking', () => {
  it('shows a serial only with the scope', () => {
    expect(shownSerial('SN-0001', true)).toBe('SN-0001');
    expect(shownSerial('SN-0001', false)).toBe(SERIAL_MASK);
    expect(maskedSerials(3)).toBe('•••• × 3');
    expect(maskedSerials(0)).not.toContain('SN');
  });

  it('searches serials and item codes case-insensitively', () => {
    const entries = [
      { item_code: 'PIN-001', serial: 'SN-0001' },
      { item_code: 'PIN-002', serial: 'sn-0002' },
    ];
    expect(filterSerials(entries, ' SN-0002 ')).toEqual([entries[1]]);
    expect(filterSerials(entries, 'pin-001')).toEqual([entries[0]]);
    expect(filterSerials(entries, '')).toEqual(entries);
  });
});
