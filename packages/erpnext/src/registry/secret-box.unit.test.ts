import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SECRET_KEY_ENV, SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = SecretBox.fromKeyText(SecretBox.generateKeyText());

  it('seals and opens, with a fresh nonce each time', () => {
    const a = box.seal('s3cr3t-value', 'erp-a:api_secret');
    const b = box.seal('s3cr3t-value', 'erp-a:api_secret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr3t');
    expect(a).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(box.open(a, 'erp-a:api_secret')).toBe('s3cr3t-value');
  });

  it('does not open under another record, another key, or when altered', () => {
    const sealed = box.seal('s3cr3t-value', 'erp-a:api_secret');
    expect(() => box.open(sealed, 'erp-b:api_secret')).toThrow('does not open');
    expect(() => SecretBox.fromKeyText(SecretBox.generateKeyText()).open(sealed, 'erp-a:api_secret')).toThrow(
      'does not open',
    );
    // change one character of the ciphertext (the one before last, whatever it is)
    const at = sealed.length - 2;
    const tampered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(tampered).not.toBe(sealed);
    expect(() => box.open(tampered, 'erp-a:api_secret')).toThrow();
  });

  it('reads the key from the environment as base64 or hex, and says what is wrong', () => {
    expect(() => SecretBox.fromEnv({})).toThrow(`${SECRET_KEY_ENV} is not set`);
    expect(() => SecretBox.fromEnv({ [SECRET_KEY_ENV]: 'c2hvcnQ=' })).toThrow(
      'must be 32 bytes (base64 or hex); it decodes to 5 bytes',
    );
    const hex = 'ab'.repeat(32);
    const sealed = SecretBox.fromEnv({ [SECRET_KEY_ENV]: hex }).seal('x', 'r');
    expect(SecretBox.fromKeyText(Buffer.from(hex, 'hex').toString('base64')).open(sealed, 'r')).toBe('x');
  });
});

describe('SecretBox.deriveKey', () => {
  const keyHex = '0b'.repeat(32);
  const box = SecretBox.fromKeyText(keyHex);

  /** RFC 5869 by hand: extract with an empty salt (HashLen zeros), then one expand block. */
  function hkdfSha256(ikm: Buffer, info: string): Buffer {
    const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm).digest();
    return createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from(info, 'utf8'), Buffer.from([1])]))
      .digest();
  }

  it('is HKDF-SHA256 of the key with the purpose as info: 32 bytes, stable', () => {
    const derived = box.deriveKey('interco/serial-digest/v1');
    expect(derived).toHaveLength(32);
    expect(derived.equals(hkdfSha256(Buffer.from(keyHex, 'hex'), 'interco/serial-digest/v1'))).toBe(true);
    expect(box.deriveKey('interco/serial-digest/v1').equals(derived)).toBe(true);
  });

  it('gives independent keys per purpose and per box key, never the key itself', () => {
    const a = box.deriveKey('purpose-a');
    expect(a.equals(box.deriveKey('purpose-b'))).toBe(false);
    expect(a.equals(SecretBox.fromKeyText('0c'.repeat(32)).deriveKey('purpose-a'))).toBe(false);
    expect(a.equals(Buffer.from(keyHex, 'hex'))).toBe(false);
  });

  it('needs a purpose', () => {
    expect(() => box.deriveKey('')).toThrow('purpose');
  });
});
