import { createHash } from 'node:crypto';
import { Sha256Digest, TransferId } from '@interco/contracts';
import { isWrongLastSequence } from '@interco/erpnext';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { BusNames } from '../names.js';
import { StoreError } from './store-error.js';

/** What an idempotency key stands for: the transfer it made, and the request it made it from. */
export const IdempotencyEntry = Type.Object(
  {
    transfer_id: TransferId,
    request_digest: Sha256Digest,
    created_at: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);
export type IdempotencyEntry = Static<typeof IdempotencyEntry>;

const entryCheck = TypeCompiler.Compile(IdempotencyEntry);

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Tries when the key vanishes (released) between a failed claim and the read of its value. */
const CLAIM_ATTEMPTS = 3;

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyEntry };

/** The KV key of a caller's Idempotency-Key: keys are per caller, and never stored in clear. */
export function idempotencyKvKey(actor: string, key: string): string {
  return createHash('sha256').update(`${actor}\n${key}`, 'utf8').digest('hex');
}

/**
 * Idempotency keys in KV `<prefix>_idempotency` (kept `ttlMs`, default 24 h, as the bucket's
 * max age): key = SHA-256 of `<actor>\n<Idempotency-Key>`, value = the transfer it made. The
 * first claim wins; a later one answers what the first stored.
 */
export class IdempotencyStore {
  readonly #now: () => Date;

  private constructor(
    /** The bucket (for tests and tools). */
    readonly kv: KV,
    now: () => Date,
  ) {
    this.#now = now;
  }

  /** The bucket's max age is set when it is created: a bucket made with another ttl keeps it. */
  static async open(
    nc: NatsConnection,
    names: BusNames,
    options: { ttlMs?: number; now?: () => Date } = {},
  ): Promise<IdempotencyStore> {
    const kv = await new Kvm(nc).create(names.buckets.idempotency, {
      history: 1,
      storage: 'file',
      ttl: options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS,
    });
    return new IdempotencyStore(kv, options.now ?? (() => new Date()));
  }

  /** Claims `key` for a new transfer, or answers the transfer that claimed it first. */
  async claim(
    actor: string,
    key: string,
    value: { transfer_id: string; request_digest: string },
  ): Promise<ClaimResult> {
    const kvKey = idempotencyKvKey(actor, key);
    const entry: IdempotencyEntry = {
      transfer_id: value.transfer_id,
      request_digest: value.request_digest,
      created_at: this.#now().toISOString(),
    };
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      try {
        await this.kv.create(kvKey, JSON.stringify(entry));
        return { claimed: true };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      const existing = await this.kv.get(kvKey);
      if (existing === null || existing.operation !== 'PUT') continue; // released meanwhile
      let stored: unknown;
      try {
        stored = existing.json<unknown>();
      } catch {
        stored = undefined;
      }
      if (!entryCheck.Check(stored)) {
        throw new StoreError('invalid', 'the stored value of an idempotency key is not valid');
      }
      return { claimed: false, existing: stored };
    }
    throw new StoreError('conflict', 'an idempotency key kept being claimed and released by others');
  }

  /** Releases a key claimed for `transferId` (a request that failed after claiming it). */
  async release(actor: string, key: string, transferId: string): Promise<void> {
    const kvKey = idempotencyKvKey(actor, key);
    const entry = await this.kv.get(kvKey);
    if (entry === null || entry.operation !== 'PUT') return;
    let holder: unknown;
    try {
      holder = entry.json<{ transfer_id?: unknown }>().transfer_id;
    } catch {
      return;
    }
    if (holder !== transferId) return;
    try {
      await this.kv.delete(kvKey, { previousSeq: entry.revision });
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
  }
}
