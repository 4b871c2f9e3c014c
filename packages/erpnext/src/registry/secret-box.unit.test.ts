import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealV1 } from '../test-support/sealed-v1.js';
import { SEALED_HEAD_LENGTH, SECRET_KEY_ENV, SECRET_KEY_PREVIOUS_ENV, SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = SecretBox.fromKeyText(SecretBox.generateKeyText());

  it('seals and opens, with a fresh nonce each time', () => {
    const a = box.seal('s3cr3t-value', 'erp-a:api_secret');
    const b = box.seal('s3cr3t-value', 'erp-a:api_secret');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr3t');
    expect(a).toMatch(/^v2:[0-9a-f]{16}:[\w-]+:[\w-]+:[\w-]+$/);
    expect(a.split(':')[1]).toBe(box.fingerprint);
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

describe('SecretBox as a key ring (current + previous keys)', () => {
  const k1 = SecretBox.generateKeyText();
  const k2 = SecretBox.generateKeyText();
  const k0 = SecretBox.generateKeyText();
  const old = SecretBox.fromKeyText(k1);
  const rotated = SecretBox.fromKeyText(k2).withPrevious(`${k1},${k0}`);

  it('seals with the current key only, and opens what the previous keys sealed, v1 and v2', () => {
    const sealedByOld = old.seal('api-secret-1', 'erp-a:api_secret');
    const legacy = sealV1(k1, 'api-secret-0', 'erp-a:api_secret');
    const legacyOlder = sealV1(k0, 'api-secret-00', 'erp-a:api_secret');
    expect(rotated.open(sealedByOld, 'erp-a:api_secret')).toBe('api-secret-1');
    expect(rotated.open(legacy, 'erp-a:api_secret')).toBe('api-secret-0');
    expect(rotated.open(legacyOlder, 'erp-a:api_secret')).toBe('api-secret-00');
    const sealedByNew = rotated.seal('api-secret-2', 'erp-a:api_secret');
    expect(sealedByNew.split(':')[1]).toBe(rotated.fingerprint);
    // the old key alone cannot open what the new one sealed
    expect(() => old.open(sealedByNew, 'erp-a:api_secret')).toThrow('does not open');
    // nor a previous-only ring's value under another record
    expect(() => rotated.open(sealedByOld, 'erp-b:api_secret')).toThrow('does not open');
  });

  it('tells which key a value needs, and re-seals only what the current key did not seal', () => {
    const sealedByOld = old.seal('x', 'r');
    const legacyCurrent = sealV1(k2, 'y', 'r');
    expect(rotated.keyOf(sealedByOld, 'r')).toBe('previous');
    expect(rotated.keyOf(sealV1(k0, 'z', 'r'), 'r')).toBe('previous');
    expect(rotated.keyOf(legacyCurrent, 'r')).toBe('current');
    expect(
      rotated.keyOfOrUndefined(SecretBox.fromKeyText(SecretBox.generateKeyText()).seal('x', 'r'), 'r'),
    ).toBe(undefined);
    const resealed = rotated.reseal(sealedByOld, 'r');
    expect(resealed).toBeDefined();
    expect(rotated.isSealedWithCurrent(resealed ?? '')).toBe(true);
    expect(rotated.open(resealed ?? '', 'r')).toBe('x');
    expect(rotated.reseal(resealed ?? '', 'r')).toBeUndefined();
    // a v1 value under the current key is brought to v2
    expect(rotated.reseal(legacyCurrent, 'r')?.startsWith(`v2:${rotated.fingerprint}:`)).toBe(true);
  });

  it('names keys by fingerprints: 16 hex, stable, distinct, never the key', () => {
    expect(old.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(SecretBox.fromKeyText(k1).fingerprint).toBe(old.fingerprint);
    expect(SecretBox.fromKeyText(Buffer.from(k1, 'base64').toString('hex')).fingerprint).toBe(
      old.fingerprint,
    );
    expect(rotated.fingerprint).toBe(SecretBox.fromKeyText(k2).fingerprint);
    expect(rotated.previousFingerprints).toEqual([old.fingerprint, SecretBox.fromKeyText(k0).fingerprint]);
    expect(Buffer.from(k1, 'base64').toString('hex')).not.toContain(old.fingerprint);
  });

  it('says which key is missing by its fingerprint, never showing a key', () => {
    const newOnly = SecretBox.fromKeyText(k2);
    let message = '';
    try {
      newOnly.open(old.seal('x', 'r'), 'r');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`fingerprint ${old.fingerprint}`);
    expect(message).toContain(SECRET_KEY_PREVIOUS_ENV);
    for (const key of [k1, k2, Buffer.from(k1, 'base64').toString('hex')]) expect(message).not.toContain(key);
    expect(() => newOnly.open(sealV1(k1, 'x', 'r'), 'r')).toThrow(`does not open with ${SECRET_KEY_ENV}`);
  });

  it('derives keys from the current key only', () => {
    expect(rotated.deriveKey('p').equals(SecretBox.fromKeyText(k2).deriveKey('p'))).toBe(true);
  });

  it('refuses a malformed, empty, repeated previous key, or the current key again, naming which', () => {
    const base = SecretBox.fromKeyText(k2);
    expect(() => base.withPrevious('c2hvcnQ=')).toThrow(
      'the key must be 32 bytes (base64 or hex); it decodes to 5 bytes',
    );
    expect(() => base.withPrevious(`${k1},c2hvcnQ=`)).toThrow('key 2 of 2 must be 32 bytes');
    expect(() => base.withPrevious(`${k1},`)).toThrow('key 2 of 2 is empty');
    expect(() => base.withPrevious(k2)).toThrow(`the key is ${SECRET_KEY_ENV} itself`);
    expect(() => base.withPrevious(`${k1},${Buffer.from(k1, 'base64').toString('hex')}`)).toThrow(
      'key 2 of 2 is the same as key 1',
    );
    expect(base.withPrevious(' ').previousFingerprints).toEqual([]);
    expect(base.withPrevious(undefined).previousFingerprints).toEqual([]);
    expect(base.withPrevious(` ${k1} , ${k0} `).previousFingerprints).toHaveLength(2);
  });

  it('reads both variables from the environment, naming the variable at fault', () => {
    const env = { [SECRET_KEY_ENV]: k2, [SECRET_KEY_PREVIOUS_ENV]: k1 };
    expect(SecretBox.fromEnv(env).previousFingerprints).toEqual([old.fingerprint]);
    expect(() => SecretBox.fromEnv({ ...env, [SECRET_KEY_PREVIOUS_ENV]: k2 })).toThrow(
      `${SECRET_KEY_PREVIOUS_ENV}: the key is ${SECRET_KEY_ENV} itself`,
    );
    let message = '';
    try {
      SecretBox.fromEnv({ ...env, [SECRET_KEY_PREVIOUS_ENV]: `${k1},${k1}` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('is the same as key 1');
    expect(message).not.toContain(k1);
  });

  it('tells the key of a sealed value from its start alone (v2), without opening it', () => {
    const k0 = SecretBox.generateKeyText();
    const ring = SecretBox.fromKeyText(SecretBox.generateKeyText()).withPrevious(k0);
    const head = (sealed: string) => sealed.slice(0, SEALED_HEAD_LENGTH);
    expect(ring.headOf(head(ring.seal('x', 'r')))).toEqual({ format: 'v2', key: 'current' });
    expect(ring.headOf(head(SecretBox.fromKeyText(k0).seal('x', 'r')))).toEqual({
      format: 'v2',
      key: 'previous',
    });
    expect(ring.headOf(head(SecretBox.fromKeyText(SecretBox.generateKeyText()).seal('x', 'r')))).toEqual({
      format: 'v2',
      key: undefined,
    });
    expect(ring.headOf(head(sealV1(k0, 'x', 'r')))).toEqual({ format: 'v1' });
    expect(ring.headOf('not sealed')).toEqual({ format: 'invalid' });
  });
});
