import { registerFormats } from '@interco/contracts';
import {
  countKeyUsage,
  emptyKeyUsage,
  type KeyUsage,
  SECRET_KEY_ENV,
  SECRET_KEY_PREVIOUS_ENV,
  type SecretBox,
} from '@interco/erpnext';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { BusNames } from '../names.js';
import { isWrongLastSequence } from '../nats/errors.js';
import { SERIAL_DIGEST_PURPOSE, SerialDigester } from './serial-digest.js';
import { StoreError } from './store-error.js';

registerFormats();

/** The entry of the serial digest key in the data key bucket. */
export const SERIAL_DIGEST_KEY_ENTRY = 'serial-digest';

/** One stored data key: the key (base64) sealed with the ring, associated data = the entry's name. */
const StoredDataKey = Type.Object(
  {
    key_sealed: Type.String({ minLength: 1 }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
const storedCheck = TypeCompiler.Compile(StoredDataKey);
interface StoredDataKey {
  key_sealed: string;
  created_at: string;
  updated_at: string;
}

/** Tries of one compare-and-set (create or re-seal) before giving up. */
const ATTEMPTS = 5;

/**
 * Data keys in KV `<prefix>_keys` (history 1, so a key re-sealed leaves no older sealed copy):
 * keys that must not change when INTERCO_SECRET_KEY is rotated, each sealed with the secret key
 * ring (SecretBox). Today one: the serial digest key (entry `serial-digest`), the HMAC key of the
 * serial digests intake's reservations and the tracker's serial index are keyed by; if it changed
 * with the secret key, a serial reserved before a rotation would no longer match after it and
 * could be reserved twice. docs/secret-key-rotation.md tells the whole procedure.
 *
 * The first service to start creates the entry, atomically (KV create: one value whoever races);
 * its value is the key HKDF-derived from the current INTERCO_SECRET_KEY, which is exactly the key
 * every service used before the key was stored, so nothing already stored changes.
 */
export class DataKeyStore {
  private constructor(
    /** The bucket (for tests and tools). */
    readonly kv: KV,
    private readonly bucket: string,
    private readonly box: SecretBox,
    private readonly now: () => Date,
  ) {}

  static async open(
    nc: NatsConnection,
    names: BusNames,
    box: SecretBox,
    options: { now?: () => Date } = {},
  ): Promise<DataKeyStore> {
    const kv = await new Kvm(nc).create(names.buckets.keys, { history: 1, storage: 'file' });
    return new DataKeyStore(kv, names.buckets.keys, box, options.now ?? (() => new Date()));
  }

  /**
   * The serial digest key: the stored one, opened with the ring; created when there is none yet.
   * Errors (StoreError; each message says what to do, never shows a key): `tampered` when no key
   * of the ring opens it (a key that was dropped too early), `missing` when there is none yet
   * while INTERCO_SECRET_KEY_PREVIOUS is set (an upgrade and a rotation at once: the digests of
   * the serials already reserved were keyed by the previous key, which one cannot be told), or
   * when it was deleted (made again from the current key, it could differ from the one in use).
   */
  async serialDigestKey(): Promise<Buffer> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const entry = await this.kv.get(SERIAL_DIGEST_KEY_ENTRY);
      if (entry !== null && entry.operation === 'PUT') return this.#open(entry);
      if (entry !== null) {
        // Made again from the current key it could differ from the one the reservations and the
        // serial index are keyed by (after a rotation): a serial could be reserved twice.
        throw new StoreError(
          'missing',
          `the serial digest key was deleted (KV ${this.bucket}, key ${SERIAL_DIGEST_KEY_ENTRY}, revision ${entry.revision}): put back the value it had (the bucket's stream backup); it is not made again, since the serial reservations and the tracker's serial index are keyed by it (docs/secret-key-rotation.md)`,
        );
      }
      if (this.box.previousFingerprints.length > 0) {
        throw new StoreError(
          'missing',
          `the serial digest key is not stored yet (KV ${this.bucket}, key ${SERIAL_DIGEST_KEY_ENTRY}) and ${SECRET_KEY_PREVIOUS_ENV} is set: start the services once with ${SECRET_KEY_ENV} = the key they ran with until now and no ${SECRET_KEY_PREVIOUS_ENV}, so the key is stored, then rotate (docs/secret-key-rotation.md)`,
        );
      }
      const key = this.box.deriveKey(SERIAL_DIGEST_PURPOSE);
      const at = this.now().toISOString();
      try {
        await this.kv.create(
          SERIAL_DIGEST_KEY_ENTRY,
          JSON.stringify(this.#sealed(SERIAL_DIGEST_KEY_ENTRY, key, at, at)),
        );
        return key;
      } catch (error) {
        // Another service created it first: read theirs.
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new StoreError('conflict', `the serial digest key kept changing while it was read: start again`);
  }

  /**
   * Seals again with the current key every data key sealed with a previous key (or in the older
   * format); the others are left as they are, so running it again changes nothing. Counts only.
   */
  async reseal(): Promise<{ resealed: number; unchanged: number }> {
    const counts = { resealed: 0, unchanged: 0 };
    for (const name of await this.#names()) {
      for (let attempt = 1; ; attempt++) {
        const entry = await this.kv.get(name);
        if (entry === null || entry.operation !== 'PUT') break;
        const stored = this.#parse(entry);
        if (this.box.isSealedWithCurrent(stored.key_sealed)) {
          counts.unchanged++;
          break;
        }
        const next = this.#sealed(name, this.#open(entry), stored.created_at, this.now().toISOString());
        try {
          await this.kv.update(name, JSON.stringify(next), entry.revision);
          counts.resealed++;
          break;
        } catch (error) {
          if (!isWrongLastSequence(error)) throw error;
          if (attempt >= ATTEMPTS) {
            throw new StoreError(
              'conflict',
              `the data key ${name} kept changing while it was re-sealed: run it again`,
            );
          }
        }
      }
    }
    return counts;
  }

  /** How many data keys need which key of the ring (counts only). */
  async keyUsage(): Promise<KeyUsage> {
    const usage = emptyKeyUsage();
    for (const name of await this.#names()) {
      const entry = await this.kv.get(name);
      if (entry === null || entry.operation !== 'PUT') continue;
      countKeyUsage(usage, this.box.keyOfOrUndefined(this.#parse(entry).key_sealed, name));
    }
    return usage;
  }

  #open(entry: KvEntry): Buffer {
    const stored = this.#parse(entry);
    let text: string;
    try {
      text = this.box.open(stored.key_sealed, entry.key);
    } catch (error) {
      throw new StoreError(
        'tampered',
        `the data key ${entry.key} (KV ${this.bucket}) does not open with ${SECRET_KEY_ENV} nor ${SECRET_KEY_PREVIOUS_ENV}: ${(error as Error).message}. Give the key it was sealed with in ${SECRET_KEY_PREVIOUS_ENV} (docs/secret-key-rotation.md)`,
      );
    }
    const key = Buffer.from(text, 'base64');
    if (key.length !== 32) {
      throw new StoreError('invalid', `the data key ${entry.key} (KV ${this.bucket}) is not 32 bytes`);
    }
    return key;
  }

  #parse(entry: KvEntry): StoredDataKey {
    let value: unknown;
    try {
      value = entry.json<unknown>();
    } catch {
      throw new StoreError('invalid', `the data key ${entry.key} (KV ${this.bucket}) is not JSON`);
    }
    if (!storedCheck.Check(value)) {
      throw new StoreError(
        'invalid',
        `the data key ${entry.key} (KV ${this.bucket}) is not a stored data key`,
      );
    }
    return value;
  }

  #sealed(name: string, key: Buffer, createdAt: string, updatedAt: string): StoredDataKey {
    return {
      key_sealed: this.box.seal(key.toString('base64'), name),
      created_at: createdAt,
      updated_at: updatedAt,
    };
  }

  async #names(): Promise<string[]> {
    const names: string[] = [];
    for await (const name of await this.kv.keys()) names.push(name);
    return names;
  }
}

/**
 * The serial digester of the deployment, keyed by the stored serial digest key (created when
 * missing): what every service that digests serials (intake, the tracker) loads at start. The
 * same in every service at every moment of a key rotation. StoreError as
 * DataKeyStore.serialDigestKey (fail the start with its message).
 */
export async function loadSerialDigester(
  nc: NatsConnection,
  names: BusNames,
  box: SecretBox,
): Promise<SerialDigester> {
  return SerialDigester.fromKey(await (await DataKeyStore.open(nc, names, box)).serialDigestKey());
}
