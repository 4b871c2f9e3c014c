import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { nameKey } from '@interco/contracts';
import type { SecretBox } from '@interco/erpnext';

/** The HKDF purpose of the serial digest key: a new version is a new key (and new digests). */
export const SERIAL_DIGEST_PURPOSE = 'interco/serial-digest/v1';

/**
 * The key of a serial in the reservations bucket: HMAC-SHA256 of the serial's identity in ERPNext
 * (`nameKey`: case- and accent-insensitive, so `sn-1` and `SN-1` are one key), hex. Keyed with a
 * secret key, so the bucket never shows a serial, nor lets anyone test a
 * guess without the key. The key is a data key of its own, stored sealed (DataKeyStore), so that the
 * digests do not change when INTERCO_SECRET_KEY is rotated (docs/secret-key-rotation.md).
 */
export class SerialDigester {
  /** A KeyObject: an HMAC made from it skips importing the key each time (about 6x faster). */
  readonly #key: KeyObject;

  private constructor(key: Buffer) {
    this.#key = createSecretKey(key);
  }

  /**
   * Keyed by the stored serial digest key (32 bytes): the services get it with
   * `loadSerialDigester` (data-key-store.ts), which stays the same when INTERCO_SECRET_KEY is
   * rotated.
   */
  static fromKey(key: Buffer): SerialDigester {
    if (key.length !== 32) throw new Error('the serial digest key must be 32 bytes');
    return new SerialDigester(key);
  }

  /**
   * Keyed by the key HKDF-derived from the box's current key: the value the stored serial digest
   * key is created with (so it equals the digests of a deployment that has not rotated its key).
   * For tests and benchmarks; a service uses `loadSerialDigester`, whose key survives a rotation.
   */
  static fromSecretBox(box: SecretBox): SerialDigester {
    return new SerialDigester(box.deriveKey(SERIAL_DIGEST_PURPOSE));
  }

  /** 64 lowercase hex characters. */
  digest(serial: string): string {
    return createHmac('sha256', this.#key).update(nameKey(serial), 'utf8').digest('hex');
  }
}
