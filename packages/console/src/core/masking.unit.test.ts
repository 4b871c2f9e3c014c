import { describe, expect, it } from 'vitest';
import { maskedSerials, SERIAL_MASK, shownSerial } from './masking.js';

describe('masking', () => {
  it('shows a serial only with the scope', () => {
    expect(shownSerial('SN-0001', true)).toBe('SN-0001');
    expect(shownSerial('SN-0001', false)).toBe(SERIAL_MASK);
    expect(maskedSerials(3)).toBe('•••• × 3');
    expect(maskedSerials(0)).not.toContain('SN');
  });
});
