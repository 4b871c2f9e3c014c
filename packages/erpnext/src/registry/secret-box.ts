import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The environment variable holding the 32-byte key (base64 or hex). */
export const SECRET_KEY_ENV = 'INTERCO_SECRET_KEY';

const VERSION = 'v1';

/**
 * Seals secrets (ERPNext API keys and secrets) with AES-256-GCM for storage. Each value gets a
 * fresh 12-byte nonce; the associated data binds it to its record (the instance id), so a sealed
 * value copied onto another record does not open. Sealed text: `v1:<nonce>:<tag>:<ciphertext>`
 * (base64url).
 */
export class SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** From INTERCO_SECRET_KEY; fails with a message saying what is wrong (never the key). */
  static fromEnv(env: Readonly<Record<string, string | undefined>> = process.env): SecretBox {
    const raw = env[SECRET_KEY_ENV];
    if (raw === undefined || raw === '') {
      throw new Error(
        `${SECRET_KEY_ENV} is not set: give 32 random bytes, base64 or hex (e.g. \`openssl rand -base64 32\`)`,
      );
    }
    return SecretBox.fromKeyText(raw);
  }

  static fromKeyText(text: string): SecretBox {
    const trimmed = text.trim();
    const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
    if (key.length !== 32) {
      throw new Error(
        `${SECRET_KEY_ENV} must be 32 bytes (base64 or hex); it decodes to ${key.length} bytes`,
      );
    }
    return new SecretBox(key);
  }

  /** A new random key, base64: for setup scripts and tests. */
  static generateKeyText(): string {
    return randomBytes(32).toString('base64');
  }

  /**
   * A 32-byte key for one purpose (e.g. `interco/serial-digest/v1`), derived from this box's key
   * with HKDF-SHA256 (RFC 5869; no salt, `info` = the purpose): keys of different purposes are
   * independent, and none reveals the box's key.
   */
  deriveKey(purpose: string): Buffer {
    if (purpose === '') throw new Error('deriveKey needs a purpose');
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), Buffer.from(purpose, 'utf8'), 32));
  }

  seal(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, nonce, tag, ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  /** Opens a sealed value; a wrong key, record or a tampered value is an error (no detail leaked). */
  open(sealed: string, associatedData: string): string {
    const [version, nonce, tag, ciphertext] = sealed.split(':');
    if (version !== VERSION || nonce === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('sealed secret is not in the v1 format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        `sealed secret does not open with ${SECRET_KEY_ENV} (wrong key, or the value was altered)`,
      );
    }
  }
}
