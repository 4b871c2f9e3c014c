import { nameKey } from '@interco/contracts';
import { FrappeError, plainMessage } from './errors.js';

/** A stored document: its fields, child tables as arrays of rows. */
export type Doc = Record<string, unknown> & { doctype: string; name: string };

/** A unique column of a doctype (standard or a Custom Field with unique: 1). */
export interface UniqueField {
  fieldname: string;
  label: string;
}

type Table = Map<string, Doc>;

/**
 * One site's database, in memory, behaving like MariaDB under Frappe for what Interco can see:
 * - every request works in a Transaction: its writes stay in an overlay nobody else sees until
 *   `commit()` and vanish on rollback;
 * - names and unique values compare as the utf8mb4_unicode_ci collation does (nameKey);
 * - a transaction that writes a row, a unique value or a naming series locks it until it ends:
 *   another transaction that wants the same lock waits for it (see `acquire`), as a second
 *   INSERT or UPDATE waits for the first in InnoDB, then sees what the first committed;
 * - unique columns refuse a second equal value (IntegrityError 1062), which Frappe reports as
 *   UniqueValidationError "{label} must be unique".
 */
export class Database {
  readonly #tables = new Map<string, Table>();
  readonly #series = new Map<string, number>();
  readonly #locks = new Map<string, Transaction>();
  #uniqueFields: (doctype: string) => readonly UniqueField[] = () => [];
  #generation = 0;

  /** Tells the database which columns of a doctype carry a unique index (from the metadata). */
  setUniqueFields(fields: (doctype: string) => readonly UniqueField[]): void {
    this.#uniqueFields = fields;
  }

  uniqueFields(doctype: string): readonly UniqueField[] {
    return this.#uniqueFields(doctype);
  }

  begin(): Transaction {
    return new Transaction(this, this.#generation);
  }

  /** Committed rows of a doctype (not copies: read-only use). */
  rows(doctype: string): IterableIterator<Doc> {
    return (this.#tables.get(doctype) ?? new Map()).values();
  }

  committed(doctype: string, name: string): Doc | undefined {
    return this.#tables.get(doctype)?.get(nameKey(name));
  }

  seriesValue(key: string): number {
    return this.#series.get(key) ?? 0;
  }

  /** Everything, for the state file and inspection. */
  snapshot(): DatabaseSnapshot {
    const tables: Record<string, Doc[]> = {};
    for (const [doctype, table] of this.#tables) tables[doctype] = [...table.values()];
    return { tables, series: Object.fromEntries(this.#series) };
  }

  /**
   * Replaces everything. Transactions still open are orphaned: they can no longer commit (their
   * writes are dropped) and their locks are gone.
   */
  restore(snapshot: DatabaseSnapshot): void {
    this.#generation++;
    this.#locks.clear();
    this.#tables.clear();
    this.#series.clear();
    for (const [doctype, docs] of Object.entries(snapshot.tables)) {
      this.#tables.set(doctype, new Map(docs.map((doc) => [nameKey(doc.name), doc])));
    }
    for (const [key, value] of Object.entries(snapshot.series)) this.#series.set(key, value);
  }

  clear(): void {
    this.restore({ tables: {}, series: {} });
  }

  /**
   * Takes every lock a transaction needs, all or none. Answers the open transaction holding one
   * of them when another has it: the caller rolls back, waits for that one to end, and runs its
   * work again (what a statement blocked on a lock amounts to).
   */
  acquire(txn: Transaction): Transaction | undefined {
    for (const key of txn.lockKeys()) {
      const holder = this.#locks.get(key);
      if (holder !== undefined && holder !== txn) return holder;
    }
    for (const key of txn.lockKeys()) this.#locks.set(key, txn);
    return undefined;
  }

  /** @internal */
  release(txn: Transaction): void {
    for (const key of txn.lockKeys()) if (this.#locks.get(key) === txn) this.#locks.delete(key);
  }

  /** @internal Applies a transaction's writes, all or nothing (unique columns checked first). */
  apply(txn: Transaction, writes: Map<string, Map<string, Doc | null>>, series: Map<string, number>): void {
    if (txn.generation !== this.#generation) return;
    for (const [doctype, table] of writes) {
      for (const doc of table.values()) {
        if (doc !== null) this.checkUnique(doc, () => this.#committedOthers(doctype, doc.name, table));
      }
    }
    for (const [doctype, table] of writes) {
      let target = this.#tables.get(doctype);
      if (target === undefined) {
        target = new Map();
        this.#tables.set(doctype, target);
      }
      for (const [key, doc] of table) {
        if (doc === null) target.delete(key);
        else target.set(key, doc);
      }
    }
    for (const [key, value] of series) this.#series.set(key, Math.max(value, this.seriesValue(key)));
  }

  /** Refuses `doc` when another row has the same value in one of its doctype's unique columns. */
  checkUnique(doc: Doc, others: () => Iterable<Doc>): void {
    const fields = this.#uniqueFields(doc.doctype).filter((field) => !isEmpty(doc[field.fieldname]));
    if (fields.length === 0) return;
    const wanted = new Map(fields.map((field) => [field, nameKey(String(doc[field.fieldname]))]));
    for (const other of others()) {
      for (const [field, key] of wanted) {
        const theirs = other[field.fieldname];
        if (isEmpty(theirs) || nameKey(String(theirs)) !== key) continue;
        const value = String(doc[field.fieldname]);
        throw new FrappeError(
          'UniqueValidationError',
          `('${doc.doctype}', '${doc.name}', IntegrityError(1062, "Duplicate entry '${value}' for key '${field.fieldname}'"))`,
          [plainMessage(`${field.label} must be unique`)],
        );
      }
    }
  }

  *#committedOthers(doctype: string, name: string, pending: Map<string, Doc | null>): Iterable<Doc> {
    const self = nameKey(name);
    for (const [key, doc] of this.#tables.get(doctype) ?? []) {
      if (key !== self && !pending.has(key)) yield doc;
    }
    for (const [key, doc] of pending) if (key !== self && doc !== null) yield doc;
  }
}

/** Empty values are NULL in the column and never collide in a unique index. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export interface DatabaseSnapshot {
  tables: Record<string, Doc[]>;
  series: Record<string, number>;
}

/**
 * One request's view of the database: committed rows plus its own writes. Reads return copies,
 * so a caller may change what it read and `put` it back. What it writes, it locks (`lockKeys`).
 */
export class Transaction {
  readonly #db: Database;
  readonly #writes = new Map<string, Map<string, Doc | null>>();
  readonly #series = new Map<string, number>();
  readonly #locks = new Set<string>();
  readonly #finished: Promise<void>;
  #finish: () => void = () => {};
  #done = false;
  readonly generation: number;

  constructor(db: Database, generation: number) {
    this.#db = db;
    this.generation = generation;
    this.#finished = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  /** Settles when the transaction commits or rolls back (its locks are then free). */
  get finished(): Promise<void> {
    return this.#finished;
  }

  get(doctype: string, name: string): Doc | undefined {
    const key = nameKey(name);
    const pending = this.#writes.get(doctype);
    if (pending?.has(key)) {
      const doc = pending.get(key);
      return doc === null || doc === undefined ? undefined : structuredClone(doc);
    }
    const doc = this.#db.committed(doctype, name);
    return doc === undefined ? undefined : structuredClone(doc);
  }

  exists(doctype: string, name: string): boolean {
    const key = nameKey(name);
    const pending = this.#writes.get(doctype);
    if (pending?.has(key)) return pending.get(key) !== null;
    return this.#db.committed(doctype, name) !== undefined;
  }

  /** Every row of a doctype as this transaction sees it (not copies: do not change them). */
  *scan(doctype: string): IterableIterator<Doc> {
    const pending = this.#writes.get(doctype);
    for (const doc of this.#db.rows(doctype)) {
      if (pending?.has(nameKey(doc.name))) continue;
      yield doc;
    }
    for (const doc of pending?.values() ?? []) if (doc !== null) yield doc;
  }

  /** Inserts or replaces a row: its row and unique values are locked, unique columns checked. */
  put(doc: Doc): void {
    this.#assertOpen();
    const stored = structuredClone(doc);
    const key = nameKey(doc.name);
    this.#db.checkUnique(stored, () => this.#othersThan(doc.doctype, key));
    this.#table(doc.doctype).set(key, stored);
    this.#locks.add(`row:${doc.doctype}:${key}`);
    for (const field of this.#db.uniqueFields(doc.doctype)) {
      const value = stored[field.fieldname];
      if (!isEmpty(value))
        this.#locks.add(`unique:${doc.doctype}:${field.fieldname}:${nameKey(String(value))}`);
    }
  }

  delete(doctype: string, name: string): void {
    this.#assertOpen();
    this.#table(doctype).set(nameKey(name), null);
    this.#locks.add(`row:${doctype}:${nameKey(name)}`);
  }

  /**
   * The next number of a naming series (`PUR-ORD-2026-`). The series is locked until this
   * transaction ends, as Frappe's `tabSeries` row is: a rollback leaves no gap.
   */
  nextSeries(key: string): number {
    this.#assertOpen();
    const value = (this.#series.get(key) ?? this.#db.seriesValue(key)) + 1;
    this.#series.set(key, value);
    this.#locks.add(`series:${key}`);
    return value;
  }

  /** The locks this transaction needs: rows, unique values and series it wrote. */
  lockKeys(): ReadonlySet<string> {
    return this.#locks;
  }

  get hasWrites(): boolean {
    return this.#writes.size > 0;
  }

  /** Makes the writes visible to everyone, all at once (unique columns checked again first). */
  commit(): void {
    this.#assertOpen();
    try {
      this.#db.apply(this, this.#writes, this.#series);
    } finally {
      this.#end();
    }
  }

  rollback(): void {
    if (!this.#done) this.#end();
  }

  #end(): void {
    this.#done = true;
    this.#db.release(this);
    this.#finish();
  }

  #table(doctype: string): Map<string, Doc | null> {
    let pending = this.#writes.get(doctype);
    if (pending === undefined) {
      pending = new Map();
      this.#writes.set(doctype, pending);
    }
    return pending;
  }

  /** Other rows of a doctype, lazily: read only for doctypes with unique fields. */
  *#othersThan(doctype: string, key: string): Iterable<Doc> {
    for (const other of this.scan(doctype)) if (nameKey(other.name) !== key) yield other;
  }

  #assertOpen(): void {
    if (this.#done) throw new Error('transaction already finished');
  }
}
