import type { Step } from '@interco/contracts';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { BusNames } from '../names.js';
import { isWrongLastSequence } from '../nats/errors.js';

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
  /** Epoch milliseconds. */
  expires_at: number;
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
      return { owner: value.owner, expires_at: value.expires_at };
    }
  } catch {
    // unreadable: treated as expired
  }
  return undefined;
}

/** Tries when the key changes between a failed create and the read of it. */
const ACQUIRE_ATTEMPTS = 3;

/**
 * Step leases in KV `<prefix>_leases`: key `<transfer id>.<step>`, value `{owner, expires_at}`.
 * One owner at a time works on a (transfer, step); a lease past its expiry (its holder died) is
 * taken over. Every write is a compare-and-set on the revision the writer last saw.
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
    const value = (): string =>
      JSON.stringify({ owner, expires_at: this.#now() + ttlMs } satisfies LeaseValue);
    for (let attempt = 1; attempt <= ACQUIRE_ATTEMPTS; attempt++) {
      try {
        return this.#lease(key, owner, value, await this.kv.create(key, value()));
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
      const entry = await this.kv.get(key);
      if (entry === null || entry.operation !== 'PUT') continue; // released meanwhile
      const held = parseLease(entry.string());
      if (held !== undefined && held.owner !== owner && held.expires_at > this.#now()) return undefined;
      try {
        return this.#lease(key, owner, value, await this.kv.update(key, value(), entry.revision));
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        // someone else took it at the same moment: look again
      }
    }
    return undefined;
  }

  #lease(key: string, owner: string, value: () => string, revision: number): Lease {
    const kv = this.kv;
    let current: number | undefined = revision;
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
        } catch (error) {
          if (!isWrongLastSequence(error)) throw error;
        }
      },
    };
  }
}
