import { nameKey } from '@interco/contracts';
import type { ErpnextClient, ErpnextDoc, ErpnextRow } from '../client/erpnext-client.js';
import type { ListOptions } from '../client/list-request.js';

/**
 * The preflight's reads of one instance, batched: one list call per doctype (`name in [...]`
 * with the fields the checks need), Serial Nos in batches of at most SERIAL_BATCH_SIZE names (each
 * batch one `frappe.client.get_list` POST, well under any request limit), one call per single
 * doctype and per permission asked. A read that fails does not throw: it is recorded (once per
 * doctype) and answers undefined, so that the checks needing it are skipped and every other check
 * still runs.
 */

/** Most Serial No names asked for in one list call. */
export const SERIAL_BATCH_SIZE = 1_000;

/** Rows keyed by their name as ERPNext compares names (`nameKey`). */
export type RowsByName = ReadonlyMap<string, ErpnextRow>;

export interface ReadFailure {
  /** What was being read, e.g. `Serial No` or `permission to submit Delivery Note`. */
  what: string;
  error: unknown;
}

export type PermissionType = 'submit' | 'cancel';
const PERMISSION_TYPES: readonly PermissionType[] = ['submit', 'cancel'];

export interface PermissionAnswer {
  doctype: string;
  permType: PermissionType;
  /** undefined: the question failed (reported as read_failed). */
  allowed: boolean | undefined;
}

/** The fields of Serial No the checks read. */
export const SERIAL_FIELDS = ['name', 'item_code', 'status', 'warehouse'] as const;

export class SiteReader {
  readonly #client: ErpnextClient;
  readonly #failures = new Map<string, ReadFailure>();

  constructor(client: ErpnextClient) {
    this.#client = client;
  }

  /** The failed reads, one per doctype (or permission), in the order they failed. */
  get failures(): ReadFailure[] {
    return [...this.#failures.values()];
  }

  /** One list call: the rows of `doctype` with these names (no call when there are none). */
  async byName(
    doctype: string,
    names: readonly string[],
    fields: readonly string[],
  ): Promise<RowsByName | undefined> {
    const unique = uniqueNames(names);
    if (unique.length === 0) return new Map<string, ErpnextRow>();
    const rows = await this.#read(doctype, () =>
      this.#client.list(doctype, {
        fields: withName(fields),
        filters: [['name', 'in', unique]],
        limitPageLength: unique.length,
      }),
    );
    return rows === undefined ? undefined : byName(rows);
  }

  /** One list call with the caller's query. */
  list(doctype: string, options: ListOptions): Promise<ErpnextRow[] | undefined> {
    return this.#read(doctype, () => this.#client.list(doctype, options));
  }

  /** The rows of these Serial Nos, SERIAL_BATCH_SIZE names per call, the calls side by side. */
  async serials(names: readonly string[], fields: readonly string[]): Promise<ErpnextRow[] | undefined> {
    const unique = uniqueNames(names);
    const batches: string[][] = [];
    for (let start = 0; start < unique.length; start += SERIAL_BATCH_SIZE) {
      batches.push(unique.slice(start, start + SERIAL_BATCH_SIZE));
    }
    const pages = await this.#read('Serial No', () =>
      Promise.all(
        batches.map((batch) =>
          this.#client.list('Serial No', {
            fields: withName(fields),
            filters: [['name', 'in', batch]],
            limitPageLength: batch.length,
          }),
        ),
      ),
    );
    return pages?.flat();
  }

  /** A single doctype's values (Buying, Selling, Stock Settings). */
  single(doctype: string): Promise<ErpnextDoc | undefined> {
    return this.#read(doctype, () => this.#client.getSingle(doctype));
  }

  /**
   * Whether the API user may submit / cancel documents of `doctype`:
   * `frappe.client.has_permission(doctype, docname, perm_type)` asked about the doctype. The
   * docname is `""`, not null: v15 checks whitelisted methods' argument types (`docname: str`)
   * and refuses None, while an empty name makes frappe.has_permission check the doctype.
   */
  permission(doctype: string, permType: PermissionType): Promise<boolean | undefined> {
    return this.#read(`permission to ${permType} ${doctype}`, async () => {
      const message = await this.#client.call(
        'frappe.client.has_permission',
        { doctype, docname: '', perm_type: permType },
        { write: false },
      );
      const allowed = isRecord(message) ? message.has_permission : undefined;
      if (typeof allowed === 'boolean') return allowed;
      if (allowed === 0 || allowed === 1) return allowed === 1;
      throw new Error(
        `${this.#client.instanceId}: call frappe.client.has_permission answered no has_permission flag`,
      );
    });
  }

  /** The Fiscal Years whose dates cover `today` (one list call; `disabled` is checked after). */
  fiscalYearsCovering(today: string): Promise<ErpnextRow[] | undefined> {
    return this.list('Fiscal Year', {
      fields: ['name', 'year_start_date', 'year_end_date', 'disabled'],
      filters: [
        ['year_start_date', '<=', today],
        ['year_end_date', '>=', today],
      ],
      limitPageLength: 0,
    });
  }

  /** The Custom Fields named `fieldname` on these doctypes (one list call). */
  customFields(doctypes: readonly string[], fieldname: string): Promise<ErpnextRow[] | undefined> {
    return this.list('Custom Field', {
      fields: ['name', 'dt', 'fieldname', 'unique'],
      filters: [
        ['dt', 'in', [...doctypes]],
        ['fieldname', '=', fieldname],
      ],
      limitPageLength: 0,
    });
  }

  /** Submit and cancel on each doctype, asked side by side. */
  permissions(doctypes: readonly string[]): Promise<PermissionAnswer[]> {
    const questions = doctypes.flatMap((doctype) =>
      PERMISSION_TYPES.map((permType) => ({ doctype, permType })),
    );
    return Promise.all(
      questions.map(async ({ doctype, permType }) => ({
        doctype,
        permType,
        allowed: await this.permission(doctype, permType),
      })),
    );
  }

  async #read<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (error) {
      if (!this.#failures.has(what)) this.#failures.set(what, { what, error });
      return undefined;
    }
  }
}

/** Rows keyed by `nameKey(name)`; rows without a string name are left out. */
export function byName(rows: readonly ErpnextRow[]): RowsByName {
  const out = new Map<string, ErpnextRow>();
  for (const row of rows) if (typeof row.name === 'string') out.set(nameKey(row.name), row);
  return out;
}

/** The names, each once as ERPNext compares them (the first spelling kept), empty ones left out. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    const key = nameKey(name);
    if (name === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

function withName(fields: readonly string[]): string[] {
  return fields.includes('name') ? [...fields] : ['name', ...fields];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
