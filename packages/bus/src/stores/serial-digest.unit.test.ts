import { SecretBox } from '@interco/erpnext';
import { describe, expect, it } from 'vitest';
import { SerialDigester } from './serial-digest.js';

describe('SerialDigester', () => {
  const box = SecretBox.fromKeyText('ab'.repeat(32));
  const digester = SerialDigester.fromSecretBox(box);

  it('gives 64 hex characters, the same for the same serial', () => {
    const digest = digester.digest('SN-0001');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digester.digest('SN-0001')).toBe(digest);
    expect(digester.digest('SN-0002')).not.toBe(digest);
  });

  it('is one key for serials ERPNext takes as one (case and accents)', () => {
    expect(digester.digest('sn-1')).toBe(digester.digest('SN-1'));
    expect(digester.digest('PIN-É')).toBe(digester.digest('pin-e'));
  });

  it('depends on the secret key and never shows the serial', () => {
    const other = SerialDigester.fromSecretBox(SecretBox.fromKeyText('cd'.repeat(32)));
    expect(other.digest('SN-1')).not.toBe(digester.digest('SN-1'));
    expect(digester.digest('SN-1')).not.toContain('sn-1');
  });
});
