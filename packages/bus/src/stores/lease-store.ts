import { randomUUID } from 'node:crypto';
import type { Step } from '@interco/contracts';
import { isWrongLastSequence } from '@interco/erpnext';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { BusNames } from '../names.js';

/** A held lease on (transfer, step). */
export interface Lease {
  /** The KV key: `<transfer id>.<step>`. */
  readonly key: string;
  readonly owner: string;
  /** Pushes the expiry `ttlMs` ahead; false when the lease was lost (taken by another, or released). */
  renew(): Promise<boolean>;
  /** Gives the lease up; one lost meanwhile is left to its new owner. */
  release(): Promise<void>;
}

/** The stored value of a lease. */
interface LeaseValue {
  owner: string;
  /**
   * Epoch milliseconds, by the writer's clock: for people and tools. Expiry is decided from the
   * entry's server timestamp plus `ttl_ms` when the value has it (every value written now does).
   */
  expires_at: number;
  /** The time to live from the moment the server stored the value. */
  ttl_ms?: number;
  /** Names one acquisition: the holder recognises its own write after an answer was lost. */
  token?: string;
}

function parseLease(text: string): LeaseValue | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === 'object' &&
      value !== null &&
      'owner' in value &&
      typeof value.owner === 'string' &&
      'expires_at' in value &&
      typeof value.expires_at === 'number'
    ) {
      const lease: LeaseValue = { owner: value.owner, expires_at: value.expires_at };
      if ('ttl_ms' in value && typeof value.ttl_ms === 'number' && Number.isFinite(value.ttl_ms)) {
        lease.ttl_ms = value.ttl_ms;
      }
      if ('token' in value && typeof value.token === 'string') lease.token = value.token;
      return lease;
    }
  } catch {
    // unreadable: treated as expired
  }
  return undefined;
}

/**
 * When the lease stored in `entry` expires (epoch ms): the server's timestamp of the entry plus
 * the stored time to live, so that every replica measures from the same clock (the server's); a
 * value written without `ttl_ms` by an older version: its `expires_at`.
 */
export function leaseExpiry(entry: Pick<KvEntry, 'created'>, value: LeaseValue): number {
  return value.ttl_ms === undefined ? value.expires_at : entry.created.getTime() + value.ttl_ms;
}

/** Tries when the key changes between a failed create and the read of it. */
const ACQUIRE_ATTEMPTS = 3;

/**
 * Step leases in KV `<prefix>_leases`: key `<transfer id>.<step>`, value `{owner, expires_at,
 * ttl_ms, token}`. One owner at a time works on a (transfer, step); a lease past its expiry (its
 * holder died) is taken over. Expiry is the entry's server timestamp plus `ttl_ms`, so replicas
 * whose clocks disagree still agree on it (only this replica's clock against the server's
 * matters, not one replica's against another's). Every write is a compare-and-set on the revision
 * the writer last saw; a holder whose write landed but whose answer was lost recognises its own
 * value by its token.
 */
export class LeaseStore {
  readonly #now: () => number;

  private constructor(
    /** The bucket (for tests and tools). */
    readonly kv: KV,
    now: () => number,
  ) {
    this.#now = now;
  }

  static async open(
    nc: NatsConnection,
    names: BusNames,
    options: { now?: () => number } = {},
  ): Promise<LeaseStore> {
    const kv = await new Kvm(nc).create(names.buckets.leases, { history: 1, storage: 'file' });
    return new LeaseStore(kv, options.now ?? Date.now);
  }

  /**
   * Takes the lease of (transfer, step) for `ttlMs`: free, expired, or already `owner`'s.
   * Undefined when another owner holds it and it has not expired.
   */
  async acquire(transferId: string, step: Step, owner: string, ttlMs: number): Promise<Lease | undefined> {
    const key = `${transferId}.${step}`;
    const token = randomUUID();
    const value = (): string =>
      JSON.stringify({
        owner,
        expires_at: this.#now() + ttlMs,
        ttl_ms: ttlMs,
        token,
      } satisfies LeaseValue);
    for (let attempt = 1; attempt <= ACQUIRE_ATTEMPTS; attempt++) {
      try {
        return this.#lease(key, owner, token, value, await this.kv.create(key, value()));
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      const entry = await this.kv.get(key);
      if (entry === null || entry.operation !== 'PUT') continue; // released meanwhile
      const held = parseLease(entry.string());
      if (held !== undefined && held.owner !== owner && leaseExpiry(entry, held) > this.#now()) {
        return undefined;
      }
      try {
        return this.#lease(key, owner, token, value, await this.kv.update(key, value(), entry.revision));
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        // someone else took it at the same moment: look again
      }
    }
    return undefined;
  }

  #lease(key: string, owner: string, token: string, value: () => string, revision: number): Lease {
    const kv = this.kv;
    let current: number | undefined = revision;
    /** The revision of the stored value when it is this acquisition's own (an answer was lost). */
    const ownRevision = async (): Promise<number | undefined> => {
      const entry = await kv.get(key);
      if (entry === null || entry.operation !== 'PUT') return undefined;
      return parseLease(entry.string())?.token === token ? entry.revision : undefined;
    };
    return {
      key,
      owner,
      async renew() {
        if (current === undefined) return false;
        try {
          current = await kv.update(key, value(), current);
          return true;
        } catch (error) {
          if (!isWrongLastSequence(error)) throw error;
        }
        const mine = await ownRevision();
        if (mine === undefined) {
          current = undefined;
          return false;
        }
        try {
          current = await kv.update(key, value(), mine);
          return true;
        } catch (error) {
          if (!isWrongLastSequence(error)) throw error;
          current = undefined;
          return false;
        }
      },
      async release() {
        if (current === undefined) return;
        const revision = current;
        current = undefined;
        try {
          await kv.delete(key, { previousSeq: revision });
          return;
        } catch (error) {
          if (!isWrongLastSequence(error)) throw error;
        }
        const mine = await ownRevision();
        if (mine === undefined) return; // taken by another meanwhile: theirs now
        try {
          await kv.delete(key, { previousSeq: mine });
        } catch (error) {
          if (!isWrongLastSequence(error)) throw error;
        }
      },
    };
  }
}
