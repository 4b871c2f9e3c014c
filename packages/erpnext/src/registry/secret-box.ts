import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The environment variable holding the 32-byte key (base64 or hex): seals and opens. */
export const SECRET_KEY_ENV = 'INTERCO_SECRET_KEY';

/**
 * The environment variable holding the keys INTERCO_SECRET_KEY replaced (comma-separated, each 32
 * bytes base64 or hex): they only open values sealed before a rotation, never seal
 * (docs/secret-key-rotation.md).
 */
export const SECRET_KEY_PREVIOUS_ENV = 'INTERCO_SECRET_KEY_PREVIOUS';

/** What INTERCO_SECRET_KEY_PREVIOUS is for, as every service's configuration schema says it. */
export const SECRET_KEY_PREVIOUS_DESCRIPTION =
  'keys INTERCO_SECRET_KEY replaced, comma-separated (32 random bytes each, base64 or hex): they only open what was sealed before a key rotation, never seal; unset it once intake’s GET /v1/admin/secret-key answers previous_key_needed false (docs/secret-key-rotation.md)';

/** The HKDF purpose of a key's fingerprint (what a v2 sealed value names its key by). */
const FINGERPRINT_PURPOSE = 'interco/key-fingerprint/v1';
const FINGERPRINT = /^[0-9a-f]{16}$/;

/** Which key of the ring a sealed value needs: the current one, or one of the previous ones. */
export type SealingKey = 'current' | 'previous';

/**
 * How many stored values need which key: `current` (sealed with INTERCO_SECRET_KEY), `previous`
 * (only a key of INTERCO_SECRET_KEY_PREVIOUS opens them), `unknown` (no key of the ring opens them:
 * sealed with a key that was dropped, or altered), `unreadable` (the record itself cannot be read:
 * not JSON, not a valid record, not a sealed value).
 */
export interface KeyUsage {
  total: number;
  current: number;
  previous: number;
  unknown: number;
  unreadable: number;
}

/** A KeyUsage of nothing yet. */
export function emptyKeyUsage(): KeyUsage {
  return { total: 0, current: 0, previous: 0, unknown: 0, unreadable: 0 };
}

/**
 * Counts one value in `usage` by the key it needs (undefined: none of the ring; `unreadable`: the
 * record could not be read).
 */
export function countKeyUsage(usage: KeyUsage, key: SealingKey | 'unreadable' | undefined): void {
  usage.total++;
  usage[key ?? 'unknown']++;
}

/** How many characters of a sealed value's start `SecretBox.headOf` needs (`v2:<fingerprint>:`). */
export const SEALED_HEAD_LENGTH = 20;

/**
 * What the start of a sealed value tells without opening it: a v2 value names its key (`key`:
 * which key of the ring has that fingerprint, undefined when none); a v1 value has to be opened
 * to tell; anything else is not a sealed value.
 */
export type SealedHead =
  | { format: 'v2'; key: SealingKey | undefined }
  | { format: 'v1' }
  | { format: 'invalid' };

interface RingKey {
  readonly key: Buffer;
  readonly fingerprint: string;
}

/**
 * Seals secrets (ERPNext API credentials, transfer manifests, data keys) with AES-256-GCM for
 * storage, with a key ring: the current key (INTERCO_SECRET_KEY) seals and opens, the previous
 * keys (INTERCO_SECRET_KEY_PREVIOUS) only open, so the key can be rotated without losing what was
 * sealed before (docs/secret-key-rotation.md).
 *
 * Each value gets a fresh 12-byte nonce; the associated data binds it to its record (the instance
 * id, the transfer id), so a sealed value copied onto another record does not open. Sealed text
 * (base64url parts): `v2:<key fingerprint>:<nonce>:<tag>:<ciphertext>`, where the fingerprint
 * (16 hex characters, HKDF-SHA256 of the key with its own purpose) names the key that sealed it
 * without revealing anything of it, so opening picks that key directly. Values of the earlier
 * format `v1:<nonce>:<tag>:<ciphertext>` (no fingerprint) still open: every key is tried.
 * Messages never show a key.
 */
export class SecretBox {
  readonly #current: RingKey;
  readonly #previous: readonly RingKey[];

  private constructor(current: RingKey, previous: readonly RingKey[]) {
    this.#current = current;
    this.#previous = previous;
  }

  /**
   * From INTERCO_SECRET_KEY and, when set, INTERCO_SECRET_KEY_PREVIOUS; fails with a message
   * naming the variable and saying what is wrong (never a key).
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): SecretBox {
    const raw = env[SECRET_KEY_ENV];
    if (raw === undefined || raw.trim() === '') {
      throw new Error(
        `${SECRET_KEY_ENV} is not set: give 32 random bytes, base64 or hex (e.g. \`openssl rand -base64 32\`)`,
      );
    }
    const box = SecretBox.fromKeyText(raw);
    try {
      return box.withPrevious(env[SECRET_KEY_PREVIOUS_ENV]);
    } catch (error) {
      throw new Error(`${SECRET_KEY_PREVIOUS_ENV}: ${(error as Error).message}`);
    }
  }

  /** A ring of one key (INTERCO_SECRET_KEY's text): 32 bytes, base64 or hex. */
  static fromKeyText(text: string): SecretBox {
    const key = decodeKey(text, SECRET_KEY_ENV);
    return new SecretBox(ringKey(key), []);
  }

  /**
   * This ring's current key with `previousText` (INTERCO_SECRET_KEY_PREVIOUS: keys, comma-separated)
   * as its previous keys; blank or undefined: none. Refused (the message says which key of the
   * list, never its value): a key that does not decode to 32 bytes, an empty entry, the current
   * key itself, a key given twice.
   */
  withPrevious(previousText: string | undefined): SecretBox {
    if (previousText === undefined || previousText.trim() === '') {
      return new SecretBox(this.#current, []);
    }
    const previous: RingKey[] = [];
    const entries = previousText.split(',');
    for (const [index, text] of entries.entries()) {
      const which = entries.length === 1 ? 'the key' : `key ${index + 1} of ${entries.length}`;
      if (text.trim() === '') throw new Error(`${which} is empty (keys are separated by single commas)`);
      const key = ringKey(decodeKey(text, which));
      if (key.key.equals(this.#current.key)) {
        throw new Error(`${which} is ${SECRET_KEY_ENV} itself: a key is either current or previous`);
      }
      const twin = previous.findIndex((other) => other.key.equals(key.key));
      if (twin >= 0) throw new Error(`${which} is the same as key ${twin + 1}: give each key once`);
      previous.push(key);
    }
    return new SecretBox(this.#current, previous);
  }

  /** A new random key, base64: for setup scripts and tests. */
  static generateKeyText(): string {
    return randomBytes(32).toString('base64');
  }

  /** The fingerprint of the current key (16 hex characters; reveals nothing of the key). */
  get fingerprint(): string {
    return this.#current.fingerprint;
  }

  /** The fingerprints of the previous keys, in the order they were given. */
  get previousFingerprints(): readonly string[] {
    return this.#previous.map((key) => key.fingerprint);
  }

  /**
   * A 32-byte key for one purpose (e.g. `interco/serial-digest/v1`), derived from the current key
   * with HKDF-SHA256 (RFC 5869; no salt, `info` = the purpose): keys of different purposes are
   * independent, and none reveals the box's key. It changes with the current key: what must
   * outlive a rotation (the serial digest key) is stored sealed instead (DataKeyStore, @interco/bus).
   */
  deriveKey(purpose: string): Buffer {
    if (purpose === '') throw new Error('deriveKey needs a purpose');
    return hkdf(this.#current.key, purpose);
  }

  /** Seals with the current key (format v2). */
  seal(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v2',
      this.#current.fingerprint,
      ...[nonce, tag, ciphertext].map((part) => part.toString('base64url')),
    ].join(':');
  }

  /**
   * Opens a sealed value (v2 with the key its fingerprint names, v1 with whichever key of the ring
   * opens it); a key not in the ring, another record or a tampered value is an error (no detail of
   * a key or the value leaked).
   */
  open(sealed: string, associatedData: string): string {
    return this.#opened(sealed, associatedData).plaintext;
  }

  /**
   * Which key of the ring `sealed` needs (a v1 value is opened to tell); an error as `open` when no
   * key of the ring opens it.
   */
  keyOf(sealed: string, associatedData: string): SealingKey {
    return this.#opened(sealed, associatedData).key === this.#current ? 'current' : 'previous';
  }

  /** `keyOf`, or undefined when no key of the ring opens the value. */
  keyOfOrUndefined(sealed: string, associatedData: string): SealingKey | undefined {
    try {
      return this.keyOf(sealed, associatedData);
    } catch {
      return undefined;
    }
  }

  /**
   * Which key a sealed value needs, from its first SEALED_HEAD_LENGTH characters only (nothing is
   * decrypted): for a v2 value the key its fingerprint names (an altered ciphertext is not
   * noticed); a v1 value must be opened whole (`keyOf`) to tell.
   */
  headOf(head: string): SealedHead {
    const v2 = /^v2:([0-9a-f]{16}):/.exec(head);
    if (v2 !== null) {
      const fingerprint = v2[1];
      if (fingerprint === this.#current.fingerprint) return { format: 'v2', key: 'current' };
      const known = this.#previous.some((key) => key.fingerprint === fingerprint);
      return { format: 'v2', key: known ? 'previous' : undefined };
    }
    return head.startsWith('v1:') ? { format: 'v1' } : { format: 'invalid' };
  }

  /** Whether `sealed` is already sealed with the current key in the current format (v2). */
  isSealedWithCurrent(sealed: string): boolean {
    return sealed.startsWith(`v2:${this.#current.fingerprint}:`);
  }

  /**
   * The value sealed again with the current key; undefined when it already is (v2, current key),
   * so re-sealing is idempotent. An error as `open` when no key of the ring opens it.
   */
  reseal(sealed: string, associatedData: string): string | undefined {
    if (this.isSealedWithCurrent(sealed)) return undefined;
    return this.seal(this.open(sealed, associatedData), associatedData);
  }

  #opened(sealed: string, associatedData: string): { plaintext: string; key: RingKey } {
    const parts = sealed.split(':');
    if (parts[0] === 'v2' && parts.length === 5 && FINGERPRINT.test(parts[1] ?? '')) {
      const [, fingerprint, nonce, tag, ciphertext] = parts as [string, string, string, string, string];
      const key = this.#ring().find((candidate) => candidate.fingerprint === fingerprint);
      if (key === undefined) {
        const ring =
          this.#previous.length === 0 ? SECRET_KEY_ENV : `${SECRET_KEY_ENV} nor ${SECRET_KEY_PREVIOUS_ENV}`;
        throw new Error(
          `sealed secret does not open with ${ring}: it was sealed with the key of fingerprint ${fingerprint}, which is not in the ring (give that key in ${SECRET_KEY_PREVIOUS_ENV})`,
        );
      }
      const plaintext = decrypt(key.key, nonce, tag, ciphertext, associatedData);
      if (plaintext === undefined) throw notOpening(`the key of fingerprint ${fingerprint}`);
      return { plaintext, key };
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, nonce, tag, ciphertext] = parts as [string, string, string, string];
      for (const key of this.#ring()) {
        const plaintext = decrypt(key.key, nonce, tag, ciphertext, associatedData);
        if (plaintext !== undefined) return { plaintext, key };
      }
      throw notOpening(
        this.#previous.length === 0
          ? SECRET_KEY_ENV
          : `${SECRET_KEY_ENV} nor any key of ${SECRET_KEY_PREVIOUS_ENV}`,
      );
    }
    throw new Error('sealed secret is not in the v1 or v2 format');
  }

  #ring(): readonly RingKey[] {
    return [this.#current, ...this.#previous];
  }
}

function notOpening(what: string): Error {
  return new Error(
    `sealed secret does not open with ${what} (wrong key, another record, or the value was altered)`,
  );
}

/** 32 bytes from hex (64 digits) or base64; the message names `what`, never the text. */
function decodeKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new Error(`${what} must be 32 bytes (base64 or hex); it decodes to ${key.length} bytes`);
  }
  return key;
}

function ringKey(key: Buffer): RingKey {
  return { key, fingerprint: hkdf(key, FINGERPRINT_PURPOSE).subarray(0, 8).toString('hex') };
}

function hkdf(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), 32));
}

function decrypt(
  key: Buffer,
  nonce: string,
  tag: string,
  ciphertext: string,
  associatedData: string,
): string | undefined {
  try {
    const authTag = Buffer.from(tag, 'base64url');
    if (authTag.length !== 16) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'), {
      authTagLength: 16,
    });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
