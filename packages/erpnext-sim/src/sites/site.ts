import { CONTROLLERS } from '../erpnext/controllers.js';
import type { FaultConfig } from '../faults/fault-config.schema.js';
import { Faults } from '../faults/faults.js';
import type { ApiUser, RequestContext } from '../frappe/context.js';
import { Database, type DatabaseSnapshot, type Doc, type Transaction } from '../frappe/database.js';
import { insertDoc, updateDoc } from '../frappe/document.js';
import { FrappeError } from '../frappe/errors.js';
import { type FieldType, Meta } from '../frappe/meta.js';

/** What a site starts with: its users, its records (master data) and settings, its faults. */
export interface SiteSetup {
  name: string;
  users: ApiUser[];
  /** Inserted in order, through the same rules as API inserts. */
  records?: Array<Record<string, unknown> & { doctype: string }>;
  /** Single doctypes' values, e.g. { "Buying Settings": { "po_required": "Yes" } }. */
  settings?: Record<string, Record<string, unknown>>;
  faults?: FaultConfig;
}

/** Requests counted by route, for inspection (`GET /api/resource/:doctype` etc.). */
export type RequestCounts = Record<string, number>;

/**
 * One ERPNext site: its database, metadata (with its Custom Fields), API users and faults. The
 * HTTP app (http/site-app.ts) serves it; everything a request does goes through `context()`.
 */
export class Site {
  readonly name: string;
  readonly db = new Database();
  readonly meta = new Meta();
  readonly faults: Faults;
  readonly counts: RequestCounts = {};
  #users: ApiUser[];
  #setup: SiteSetup;
  #onChange: () => void = () => {};

  constructor(setup: SiteSetup, random?: () => number) {
    this.name = setup.name;
    this.#setup = structuredClone(setup);
    this.#users = setup.users;
    this.faults = new Faults(random);
    this.db.setUniqueFields((doctype) => this.meta.uniqueFields(doctype));
    this.reset();
  }

  get users(): readonly ApiUser[] {
    return this.#users;
  }

  /** The user with this API key, if any. */
  userByKey(apiKey: string): ApiUser | undefined {
    return this.#users.find((user) => user.apiKey === apiKey);
  }

  /** Called after every commit (the state file listens). */
  onChange(listener: () => void): void {
    this.#onChange = listener;
  }

  /** Empties the site and loads its setup again. */
  reset(): void {
    this.db.clear();
    this.#syncCustomFields();
    this.faults.set(this.#setup.faults ?? {});
    for (const key of Object.keys(this.counts)) delete this.counts[key];
    this.load(this.#setup.records ?? [], this.#setup.settings ?? {});
  }

  /** Inserts records and sets single doctypes, as the first user, in one transaction. */
  load(records: SiteSetup['records'] & object, settings: Record<string, Record<string, unknown>> = {}): void {
    const txn = this.db.begin();
    const ctx = this.context(this.#admin(), txn);
    try {
      for (const record of records) {
        const { doctype, ...data } = record;
        try {
          insertDoc(ctx, doctype, data);
        } catch (error) {
          const why = error instanceof FrappeError ? error.message : String(error);
          throw new Error(
            `site ${this.name}: cannot load ${doctype} ${JSON.stringify(data).slice(0, 120)}: ${why}`,
          );
        }
      }
      for (const [doctype, values] of Object.entries(settings)) updateDoc(ctx, doctype, doctype, values);
      txn.commit();
    } finally {
      txn.rollback();
    }
    this.committed();
  }

  context(user: ApiUser, txn: Transaction, now: Date = new Date()): RequestContext {
    return { txn, meta: this.meta, user, now, controllers: CONTROLLERS, serialsTouched: 0 };
  }

  /** After a commit: Custom Fields become columns, listeners hear of the change. */
  committed(): void {
    this.#syncCustomFields();
    this.#onChange();
  }

  snapshot(): DatabaseSnapshot {
    return this.db.snapshot();
  }

  restore(snapshot: DatabaseSnapshot): void {
    this.db.restore(snapshot);
    this.#syncCustomFields();
  }

  /** Serial No records, for inspection. */
  serialLedger(): Doc[] {
    return [...this.db.rows('Serial No')];
  }

  #admin(): ApiUser {
    const [first] = this.#users;
    return first ?? { email: 'Administrator', apiKey: '', apiSecret: '' };
  }

  /** Custom Field records are columns of their doctype (a unique one gets a unique index). */
  #syncCustomFields(): void {
    this.meta.clearCustomFields();
    for (const record of this.db.rows('Custom Field')) {
      const length = Number(record.length ?? 0);
      this.meta.addCustomField(String(record.dt), {
        fieldname: String(record.fieldname),
        label: String(record.label ?? record.fieldname),
        fieldtype: String(record.fieldtype ?? 'Data') as FieldType,
        ...(record.options ? { options: String(record.options) } : {}),
        ...(record.default !== undefined && record.default !== null && record.default !== ''
          ? { default: record.default }
          : {}),
        ...(length > 0 ? { length } : {}),
        reqd: Boolean(record.reqd),
        unique: Boolean(record.unique),
        readOnly: Boolean(record.read_only),
        noCopy: Boolean(record.no_copy),
        allowOnSubmit: Boolean(record.allow_on_submit),
      });
    }
  }
}
