import { registerFormats } from '@interco/contracts';
import {
  isWrongLastSequence,
  type KeyUsage,
  keyUsageOf,
  type ResealCounts,
  resealRecords,
  SECRET_KEY_ENV,
  SECRET_KEY_PREVIOUS_ENV,
  type SecretBox,
} from '@interco/erpnext';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { BusNames } from '../names.js';
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

/** How long a service that does not create the serial digest key waits for it by default. */
export const DEFAULT_KEY_WAIT_MS = 120_000;

/** What to do when the entry is missing or lost (the end of the messages that say so). */
const RESTORE = `restore the entry from its backup (\`nats kv put\`, docs/secret-key-rotation.md, "Backing up the key entry"); it is not made again, since the serial reservations and the tracker's serial index are keyed by it and a key made again could differ`;

/** How a service that does not create the serial digest key waits for it. */
export interface SerialDigestKeyWait {
  /** Give up after this long (default DEFAULT_KEY_WAIT_MS). */
  timeoutMs?: number;
  /** Ask again this often (default 1 s). */
  intervalMs?: number;
  /** Told (one line, for the log) at the first miss and then about every 30 s while it waits. */
  onWaiting?: (message: string) => void;
}

/**
 * Data keys in KV `<prefix>_keys` (history 1, so a key re-sealed leaves no older sealed copy):
 * keys that must not change when INTERCO_SECRET_KEY is rotated, each sealed with the secret key
 * ring (SecretBox). Today one: the serial digest key (entry `serial-digest`), the HMAC key of the
 * serial digests intake's reservations and the tracker's serial index are keyed by; if it changed
 * with the secret key, a serial reserved before a rotation would no longer match after it and
 * could be reserved twice. docs/secret-key-rotation.md tells the whole procedure.
 *
 * Intake creates the entry at its first start, atomically (KV create: one value whoever races);
 * its value is the key HKDF-derived from the current INTERCO_SECRET_KEY, which is exactly the key
 * every service used before the key was stored, so nothing already stored changes. The other
 * services (the tracker) only read it, waiting for it when it is not there yet.
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
   * The serial digest key, created when there is none yet: intake's, at its start (the only
   * service that creates it). Errors (StoreError; each message says what to do, never shows a
   * key): `tampered` when no key of the ring opens it (a key that was dropped too early);
   * `missing` when there is none while the key cannot be told or must not be made again:
   * INTERCO_SECRET_KEY_PREVIOUS is set (an upgrade and a rotation at once: which key keyed the
   * digests of the serials already reserved cannot be told), the entry was deleted, or `priorUse`
   * finds evidence that this version already ran on the deployment (the entry was lost: made
   * again from the current key after a rotation, it would differ from the one that keyed the
   * reservations and the tracker's index, and a reserved serial could be reserved again).
   */
  async createSerialDigestKey(
    options: {
      /**
       * Evidence that the deployment already ran with a stored key (e.g. records sealed in the v2
       * format), said in a few words; undefined when there is none (a new or a legacy deployment).
       */
      priorUse?: () => Promise<string | undefined>;
    } = {},
  ): Promise<Buffer> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const stored = await this.#stored();
      if (stored.key !== undefined) return stored.key;
      if (stored.deletedAt !== undefined) {
        // Made again from the current key it could differ from the one the reservations and the
        // serial index are keyed by (after a rotation): a serial could be reserved twice.
        throw new StoreError(
          'missing',
          `the serial digest key was deleted (KV ${this.bucket}, key ${SERIAL_DIGEST_KEY_ENTRY}, revision ${stored.deletedAt}): ${RESTORE}`,
        );
      }
      if (this.box.previousFingerprints.length > 0) {
        throw new StoreError(
          'missing',
          `the serial digest key is not stored yet (KV ${this.bucket}, key ${SERIAL_DIGEST_KEY_ENTRY}) and ${SECRET_KEY_PREVIOUS_ENV} is set: start the services once with ${SECRET_KEY_ENV} = the key they ran with until now and no ${SECRET_KEY_PREVIOUS_ENV}, so the key is stored, then rotate (docs/secret-key-rotation.md)`,
        );
      }
      const evidence = await options.priorUse?.();
      if (evidence !== undefined) {
        throw new StoreError(
          'missing',
          `the serial digest key is missing (KV ${this.bucket}, key ${SERIAL_DIGEST_KEY_ENTRY}) although this deployment already ran with it (${evidence}): ${RESTORE}`,
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
        // Another intake created it first: read theirs.
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    throw new StoreError('conflict', `the serial digest key kept changing while it was read: start again`);
  }

  /**
   * The stored serial digest key, never created: what every service but intake loads (the
   * tracker). While there is none (intake has not started yet, or the entry was lost and must be
   * restored) it asks again every `intervalMs`, telling `onWaiting` (at the first miss, then about
   * every 30 s), and fails after `timeoutMs` (StoreError `missing`, saying what to do). A ring
   * that cannot open it fails at once (`tampered`).
   */
  async waitForSerialDigestKey(options: SerialDigestKeyWait = {}): Promise<Buffer> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_KEY_WAIT_MS;
    const intervalMs = options.intervalMs ?? 1_000;
    const started = Date.now();
    let toldAt: number | undefined;
    for (;;) {
      const stored = await this.#stored();
      if (stored.key !== undefined) return stored.key;
      const waited = Date.now() - started;
      const where = `KV ${this.bucket}, key ${SERIAL_DIGEST_KEY_ENTRY}`;
      if (waited >= timeoutMs) {
        throw new StoreError(
          'missing',
          `the serial digest key is not stored (${where}) after ${Math.round(waited / 1000)} s: intake creates it at its first start, so start intake on the same NATS and namespace first; if the entry was lost, restore it from its backup (docs/secret-key-rotation.md, "Backing up the key entry")`,
        );
      }
      if (toldAt === undefined || waited - toldAt >= 30_000) {
        toldAt = waited;
        options.onWaiting?.(
          `waiting for the serial digest key (${where}${stored.deletedAt === undefined ? '' : ', deleted'}): intake creates it at its first start; if it was lost, restore it from its backup (docs/secret-key-rotation.md); giving up after ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, timeoutMs - waited)));
    }
  }

  /**
   * Seals again with the current key every data key sealed with a previous key (or in the older
   * format); the others are left as they are, so running it again changes nothing. A data key
   * that cannot be read (not a stored data key, no key of the ring opens it) is counted
   * `unreadable`, reported to `onUnreadable` (its name and why, never its content) and left as
   * it is. Counts only.
   */
  async reseal(
    options: { onUnreadable?: (name: string, reason: string) => void } = {},
  ): Promise<ResealCounts> {
    return resealRecords<StoredDataKey>(this.kv, {
      resealed: (entry) => {
        const stored = this.#parse(entry);
        return this.box.isSealedWithCurrent(stored.key_sealed)
          ? undefined
          : this.#sealed(entry.key, this.#open(entry), stored.created_at, this.now().toISOString());
      },
      attempts: ATTEMPTS,
      conflict: (name) =>
        new StoreError('conflict', `the data key ${name} kept changing while it was re-sealed: run it again`),
      onUnreadable: options.onUnreadable,
    });
  }

  /** How many data keys need which key of the ring (counts only; `unreadable`: not parsed). */
  async keyUsage(): Promise<KeyUsage> {
    return keyUsageOf(this.kv, (entry) =>
      this.box.keyOfOrUndefined(this.#parse(entry).key_sealed, entry.key),
    );
  }

  /** The serial digest key opened, or why there is none: no entry, or deleted (its revision). */
  async #stored(): Promise<{ key?: Buffer; deletedAt?: number }> {
    const entry = await this.kv.get(SERIAL_DIGEST_KEY_ENTRY);
    if (entry === null) return {};
    if (entry.operation !== 'PUT') return { deletedAt: entry.revision };
    return { key: this.#open(entry) };
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
}

/**
 * The serial digester of the deployment, keyed by the stored serial digest key, waiting for it
 * while intake has not created it yet (DataKeyStore.waitForSerialDigestKey): what the tracker
 * loads at start (intake creates the key: DataKeyStore.createSerialDigestKey). The same in every
 * service at every moment of a key rotation. StoreError (fail the start with its message).
 */
export async function loadSerialDigester(
  nc: NatsConnection,
  names: BusNames,
  box: SecretBox,
  wait: SerialDigestKeyWait = {},
): Promise<SerialDigester> {
  const store = await DataKeyStore.open(nc, names, box);
  return SerialDigester.fromKey(await store.waitForSerialDigestKey(wait));
}
