import type { Collection, Db, IndexDescription } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';
import { COLLECTIONS, type SerialDocument, type TransferDocument } from './transfer-document.schema.js';

/** MongoDB's duplicate key error. */
const DUPLICATE_KEY = 11000;

/**
 * The fields `GET /v1/transfers` filters on by equality (`instance` and `company` as an `$or` of
 * several: one branch each). Each has an index `<field>_created_id` that serves its filter in the
 * list's order.
 */
export const EQUALITY_FIELDS = [
  'status',
  'current_step',
  'instance_a',
  'instance_b',
  'company_a',
  'company_b',
  'company_b_customer_in_a',
  'company_a_supplier_in_b',
  'reference',
] as const;

/** The list's sort as index keys (the same as TRANSFER_ORDER: created_at, then _id, descending). */
const NEWEST_FIRST = { created_at: -1, _id: -1 } as const;

/** An index of the `transfers` collection, named (ensureIndexes works by name). */
export type NamedIndex = IndexDescription & { readonly name: string; readonly key: Record<string, 1 | -1> };

/**
 * The indexes of `transfers`, following the queries (equality, sort, range: docs/tracker.md): one
 * `{<field>: 1, created_at: -1, _id: -1}` per equality filter, so that a filtered page reads
 * `limit + 1` index entries in order; `created_id` for the unfiltered list and the date range;
 * `status_updated` for the stuck filter and count; `serials_indexed` for the serial sweep.
 */
export const TRANSFER_INDEXES: readonly NamedIndex[] = [
  ...EQUALITY_FIELDS.map((field) => ({ name: `${field}_created_id`, key: { [field]: 1, ...NEWEST_FIRST } })),
  { name: 'created_id', key: { ...NEWEST_FIRST } },
  { name: 'status_updated', key: { status: 1, updated_at: 1 } },
  { name: 'serials_indexed', key: { serials_indexed: 1 } },
];

/**
 * The indexes of the first version that no query needs any more (each equality field alone,
 * `status_created` without `_id`, `updated_at` alone): dropped by name at start.
 */
export const OBSOLETE_INDEX_NAMES: readonly string[] = [
  'status_created',
  'current_step',
  'instance_a',
  'instance_b',
  'company_a',
  'company_b',
  'company_b_customer_in_a',
  'company_a_supplier_in_b',
  'reference',
  'updated_at',
];

/** A transfer and the keyed digests of the serials its manifest moves. */
export interface TransferSerials {
  readonly transferId: string;
  readonly digests: readonly string[];
}

/**
 * The read model's collections on one database: `transfers` (one document per transfer) and
 * `serials` (keyed serial digest -> transfers). Reads are `_id` lookups; writes are insertMany for
 * new documents and one compare-and-set replaceOne per changed document (docs/tracker.md).
 */
export class TrackerStore {
  readonly transfers: Collection<TransferDocument>;
  readonly serials: Collection<SerialDocument>;

  constructor(readonly db: Db) {
    this.transfers = db.collection<TransferDocument>(COLLECTIONS.transfers);
    this.serials = db.collection<SerialDocument>(COLLECTIONS.serials);
  }

  /**
   * Brings the indexes to TRANSFER_INDEXES, by name: creates the missing ones first, then drops
   * the obsolete ones that exist, so that a rolling upgrade (older replicas still querying) is
   * never left without an index meanwhile (FerretDB 1.24 drops the connection when asked to
   * create an index that exists, so existing ones are never asked for again). Running it again
   * changes nothing.
   */
  async ensureIndexes(): Promise<void> {
    const existing = new Set(
      await this.transfers
        .listIndexes()
        .map((index: { name?: unknown }) => String(index.name))
        .toArray()
        .catch((error: unknown) => {
          if (isNamespaceNotFound(error)) return [];
          throw error;
        }),
    );
    const missing = TRANSFER_INDEXES.filter((index) => !existing.has(index.name));
    if (missing.length > 0) await this.transfers.createIndexes([...missing]);
    for (const name of OBSOLETE_INDEX_NAMES) {
      if (!existing.has(name)) continue;
      await this.transfers.dropIndex(name).catch((error: unknown) => {
        // another replica starting at the same time dropped it first
        if (!isIndexNotFound(error)) throw error;
      });
    }
  }

  /** Drops both collections (the read model is derived: `rebuild` fills them again). */
  async drop(): Promise<void> {
    for (const collection of [this.transfers, this.serials]) {
      await collection.drop().catch((error: unknown) => {
        if (!isNamespaceNotFound(error)) throw error;
      });
    }
  }

  /**
   * Transfers whose request is known but whose serials are not indexed yet (their manifest could
   * not be read when the request was applied): what the serial sweep takes up again.
   */
  async withSerialsNotIndexed(limit: number): Promise<TransferDocument[]> {
    return this.transfers
      .find({ serials_indexed: false, state: { $ne: null } })
      .limit(limit)
      .toArray();
  }

  /**
   * Marks a transfer's serials indexed if its document is still at `expectedVersion` (a
   * compare-and-set: a writer that holds the older version loses, reads it again and keeps the
   * mark); answers whether it did.
   */
  async markSerialsIndexed(transferId: string, expectedVersion: number): Promise<boolean> {
    const result = await this.transfers.updateOne(
      { _id: transferId, version: expectedVersion },
      { $set: { serials_indexed: true }, $inc: { version: 1 } },
    );
    return result.modifiedCount === 1;
  }

  /** One transfer's document, by `_id`. */
  async find(transferId: string): Promise<TransferDocument | undefined> {
    return (await this.transfers.findOne({ _id: transferId })) ?? undefined;
  }

  /** Several transfers' documents, one `_id` read each, in parallel (an `$in` scans on FerretDB). */
  async findMany(transferIds: readonly string[]): Promise<Map<string, TransferDocument>> {
    const found = await Promise.all(transferIds.map((id) => this.find(id)));
    const byId = new Map<string, TransferDocument>();
    for (const doc of found) if (doc !== undefined) byId.set(doc._id, doc);
    return byId;
  }

  /**
   * Inserts new documents with one insertMany (unordered). Answers the ids that already existed
   * (another writer came first): those were not written.
   */
  async insertNew(docs: readonly TransferDocument[]): Promise<Set<string>> {
    if (docs.length === 0) return new Set();
    const duplicates = await insertManyDuplicates(this.transfers, docs);
    return new Set([...duplicates].map((index) => docs[index]?._id ?? ''));
  }

  /** Replaces a document if it still has `expectedVersion`; false when another writer came first. */
  async replace(doc: TransferDocument, expectedVersion: number): Promise<boolean> {
    const result = await this.transfers.replaceOne({ _id: doc._id, version: expectedVersion }, doc);
    return result.matchedCount === 1;
  }

  /** Adds the transfer to the serials with these digests (indexSerialsBatch of one). */
  indexSerials(transferId: string, digests: readonly string[]): Promise<void> {
    return this.indexSerialsBatch([{ transferId, digests }]);
  }

  /**
   * Adds each transfer to the serials it moved: one insertMany of new serial documents
   * (unordered), then one `$addToSet` per serial that existed. Idempotent.
   */
  async indexSerialsBatch(batch: readonly TransferSerials[]): Promise<void> {
    const docs: SerialDocument[] = batch.flatMap(({ transferId, digests }) =>
      digests.map((digest) => ({ _id: digest, transfers: [transferId] })),
    );
    if (docs.length === 0) return;
    const duplicates = await insertManyDuplicates(this.serials, docs);
    // FerretDB 1.x hangs on bulkWrite of many updates: one updateOne at a time.
    for (const index of duplicates) {
      const doc = docs[index];
      if (doc === undefined) continue;
      await this.serials.updateOne({ _id: doc._id }, { $addToSet: { transfers: { $each: doc.transfers } } });
    }
  }

  /** The transfers that moved the serial with this keyed digest (oldest first). */
  async transfersOfSerial(digest: string): Promise<string[]> {
    return (await this.serials.findOne({ _id: digest }))?.transfers ?? [];
  }
}

/** insertMany, unordered: answers the indexes of the documents refused as duplicate keys. */
async function insertManyDuplicates<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
): Promise<Set<number>> {
  try {
    // The driver's OptionalUnlessRequiredId<T> is T itself here: every document has its _id.
    await collection.insertMany(docs as Parameters<Collection<T>['insertMany']>[0], { ordered: false });
    return new Set();
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    const other = writeErrors.find((writeError) => writeError.code !== DUPLICATE_KEY);
    if (other !== undefined || error.writeConcernError !== undefined) throw error;
    return new Set(writeErrors.map((writeError) => writeError.index));
  }
}

/** MongoDB's IndexNotFound (27), as FerretDB says it too. */
function isIndexNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    ((error as { code?: unknown }).code === 27 || /index not found/i.test(error.message))
  );
}

function isNamespaceNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    ((error as { code?: unknown }).code === 26 || /ns not found|does not exist/i.test(error.message))
  );
}
