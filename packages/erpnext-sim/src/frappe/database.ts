import { nameKey } from '@interco/contracts';

/** A stored document: its fields, child tables as arrays of rows. */
export type Doc = Record<string, unknown> & { doctype: string; name: string };

/** Checks a document about to be written against the unique columns of its table. */
export type UniqueCheck = (doc: Doc, others: Iterable<Doc>) => void;

type Table = Map<string, Doc>;

/**
 * One site's database, in memory. Every request works in a Transaction: its writes stay in an
 * overlay that nobody else sees until `commit()`, and vanish on rollback, as in MariaDB. Names
 * are compared as ERPNext's utf8mb4_unicode_ci collation compares them (nameKey).
 */
export class Database {
  readonly #tables = new Map<string, Table>();
  readonly #series = new Map<string, number>();
  #uniqueCheck: UniqueCheck = () => {};

  /** Installs the check run on every written document (unique fields, from the metadata). */
  setUniqueCheck(check: UniqueCheck): void {
    this.#uniqueCheck = check;
  }

  /** Runs the unique check of a document against other rows. */
  checkUnique(doc: Doc, others: Iterable<Doc>): void {
    this.#uniqueCheck(doc, others);
  }

  begin(): Transaction {
    return new Transaction(this);
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

  restore(snapshot: DatabaseSnapshot): void {
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

  /** @internal Transaction's access to the committed state. */
  apply(writes: Map<string, Map<string, Doc | null>>, check: boolean): void {
    if (check) {
      for (const [doctype, table] of writes) {
        for (const doc of table.values()) {
          if (doc === null) continue;
          this.checkUnique(doc, this.#othersThan(doctype, doc.name, table));
        }
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
  }

  /** @internal */
  takeSeries(key: string): number {
    const next = (this.#series.get(key) ?? 0) + 1;
    this.#series.set(key, next);
    return next;
  }

  /** @internal Gives a series number back if nothing took a later one (a rollback leaves no gap). */
  returnSeries(key: string, value: number): void {
    if (this.#series.get(key) === value) this.#series.set(key, value - 1);
  }

  *#othersThan(doctype: string, name: string, pending: Map<string, Doc | null>): Iterable<Doc> {
    const self = nameKey(name);
    for (const [key, doc] of this.#tables.get(doctype) ?? []) {
      if (key !== self && !pending.has(key)) yield doc;
    }
    for (const [key, doc] of pending) if (key !== self && doc !== null) yield doc;
  }
}

export interface DatabaseSnapshot {
  tables: Record<string, Doc[]>;
  series: Record<string, number>;
}

/**
 * One request's view of the database: committed rows plus its own writes. Reads return copies,
 * so a caller may change what it read and `put` it back.
 */
export class Transaction {
  readonly #db: Database;
  readonly #writes = new Map<string, Map<string, Doc | null>>();
  readonly #series: Array<[string, number]> = [];
  #done = false;

  constructor(db: Database) {
    this.#db = db;
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
      const key = nameKey(doc.name);
      if (pending?.has(key)) continue;
      yield doc;
    }
    for (const doc of pending?.values() ?? []) if (doc !== null) yield doc;
  }

  /** Inserts or replaces a row; unique fields are checked now and again at commit. */
  put(doc: Doc): void {
    this.#assertOpen();
    let pending = this.#writes.get(doc.doctype);
    if (pending === undefined) {
      pending = new Map();
      this.#writes.set(doc.doctype, pending);
    }
    const stored = structuredClone(doc);
    const key = nameKey(doc.name);
    this.#db.checkUnique(stored, this.#othersThan(doc.doctype, key));
    pending.set(key, stored);
  }

  delete(doctype: string, name: string): void {
    this.#assertOpen();
    let pending = this.#writes.get(doctype);
    if (pending === undefined) {
      pending = new Map();
      this.#writes.set(doctype, pending);
    }
    pending.set(nameKey(name), null);
  }

  /** The next number of a naming series (`PUR-ORD-2026-`), taken now; given back on rollback. */
  nextSeries(key: string): number {
    this.#assertOpen();
    const value = this.#db.takeSeries(key);
    this.#series.push([key, value]);
    return value;
  }

  get hasWrites(): boolean {
    return this.#writes.size > 0;
  }

  /** Makes the writes visible to everyone, all at once (unique fields checked again first). */
  commit(): void {
    this.#assertOpen();
    this.#db.apply(this.#writes, true);
    this.#done = true;
  }

  rollback(): void {
    if (this.#done) return;
    this.#done = true;
    for (const [key, value] of this.#series.reverse()) this.#db.returnSeries(key, value);
  }

  /** Other rows of a doctype, lazily: the check reads them only for doctypes with unique fields. */
  *#othersThan(doctype: string, key: string): Iterable<Doc> {
    for (const other of this.scan(doctype)) if (nameKey(other.name) !== key) yield other;
  }

  #assertOpen(): void {
    if (this.#done) throw new Error('transaction already finished');
  }
}
