import { describe, expect, it } from 'vitest';
import { maskedSerials } from './masking.js';

describe('masking', () => {
  it('shows a count of serials as the mask, never a serial', () => {
    expect(maskedSerials(3)).toBe('•••• × 3');
    expect(maskedSerials(0)).not.toContain('SN');
  });
});
