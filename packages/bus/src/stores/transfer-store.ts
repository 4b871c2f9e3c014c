import { pointerToPath } from '@interco/contracts';
import { isWrongLastSequence } from '@interco/erpnext';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { BusNames } from '../names.js';
import { StoreError } from './store-error.js';
import { TransferRecord } from './transfer-record.schema.js';

const recordCheck = TypeCompiler.Compile(TransferRecord);

/** Tries of one compare-and-set before `update` gives up with StoreError `conflict`. */
const UPDATE_ATTEMPTS = 20;

/** Checks a record against its schema; StoreError `invalid` names the fields (never values). */
export function checkTransferRecord(value: unknown, what: string): TransferRecord {
  if (recordCheck.Check(value)) return value;
  const problems = [...recordCheck.Errors(value)]
    .slice(0, 5)
    .map((error) => `${pointerToPath(error.path) || '(record)'}: ${error.message}`);
  throw new StoreError('invalid', `${what} is not a valid transfer record: ${problems.join('; ')}`);
}

/**
 * Transfer records in KV `<prefix>_transfers` (key = transfer id, no history). Every record is
 * checked against the schema when read and before it is written.
 */
export class TransferStore {
  private constructor(
    /** The bucket (for tests and tools; the store is the one way to write it). */
    readonly kv: KV,
  ) {}

  static async open(nc: NatsConnection, names: BusNames): Promise<TransferStore> {
    const kv = await new Kvm(nc).create(names.buckets.transfers, { history: 1, storage: 'file' });
    return new TransferStore(kv);
  }

  /** The record and its revision; undefined when there is none. StoreError `invalid`. */
  async get(id: string): Promise<{ record: TransferRecord; revision: number } | undefined> {
    const entry = await this.kv.get(id);
    if (entry === null || entry.operation !== 'PUT') return undefined;
    let value: unknown;
    try {
      value = entry.json<unknown>();
    } catch {
      throw new StoreError('invalid', `the stored record of ${id} is not JSON`);
    }
    return { record: checkTransferRecord(value, `the stored record of ${id}`), revision: entry.revision };
  }

  /** Stores a new record; answers its revision. StoreError `exists` if the id has a record. */
  async create(record: TransferRecord): Promise<number> {
    const checked = checkTransferRecord(record, `the record of ${record.transfer_id}`);
    try {
      return await this.kv.create(checked.transfer_id, JSON.stringify(checked));
    } catch (error) {
      if (isWrongLastSequence(error)) {
        throw new StoreError('exists', `transfer ${checked.transfer_id} has a record already`);
      }
      throw error;
    }
  }

  /**
   * Changes a record with compare-and-set: reads it, calls `change` with it (a fresh copy each
   * time: it may be called again when another writer got in first), writes the result if the
   * record has not changed meanwhile, else starts over. `change` answering undefined leaves the
   * record as it is (answers the current one). Undefined: there is no record. StoreError
   * `conflict` after 20 lost races, `invalid` when the result does not pass the schema or
   * changes the transfer id.
   */
  async update(
    id: string,
    change: (current: TransferRecord) => TransferRecord | undefined,
  ): Promise<{ record: TransferRecord; revision: number } | undefined> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt++) {
      const current = await this.get(id);
      if (current === undefined) return undefined;
      const next = change(current.record);
      if (next === undefined) return current;
      const checked = checkTransferRecord(next, `the new record of ${id}`);
      if (checked.transfer_id !== id) {
        throw new StoreError('invalid', `an update of ${id} cannot change its transfer id`);
      }
      try {
        const revision = await this.kv.update(id, JSON.stringify(checked), current.revision);
        return { record: checked, revision };
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
        // Lost the race: back off a little (more with every loss), then read again.
        await sleep(Math.random() * Math.min(attempt, 10) * 5);
      }
    }
    throw new StoreError(
      'conflict',
      `transfer ${id} kept changing: ${UPDATE_ATTEMPTS} updates in a row lost to other writers`,
    );
  }

  /** The transfer ids of the records held (not of removed ones), read from the bucket as it goes. */
  ids(): Promise<AsyncIterable<string>> {
    return this.kv.keys();
  }

  /** Removes a record (purged: nothing of it stays). Nothing to remove is fine. */
  async delete(id: string): Promise<void> {
    await this.kv.purge(id);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
