import { existsSync, readFileSync } from 'node:fs';
import { chmod, open, rename, rm } from 'node:fs/promises';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ApiUser } from '../frappe/context.js';
import type { DatabaseSnapshot } from '../frappe/database.js';
import type { Site } from './site.js';
import {
  apiUserOf,
  SITE_NAME_PATTERN,
  SiteUserEntry,
  schemaProblems,
  userEntryOf,
} from './sites-file.schema.js';

/**
 * The state file (`--state-file <path>`): every site's database and API users, so a restarted
 * simulator carries on where it stopped (same documents, same naming-series counters, same
 * credentials). JSON, written with mode 0600 (it holds API secrets).
 */

const StoredDoc = Type.Object(
  { doctype: Type.String({ minLength: 1 }), name: Type.String() },
  { additionalProperties: true, description: 'a document as the database keeps it, child tables inline' },
);

const StoredDatabase = Type.Object(
  {
    tables: Type.Record(Type.String(), Type.Array(StoredDoc), { description: 'committed rows by doctype' }),
    series: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), {
      description: 'naming-series counters, e.g. { "PUR-ORD-2026-": 12 }',
    }),
  },
  { additionalProperties: false },
);

const StoredSite = Type.Object(
  { users: Type.Array(SiteUserEntry), database: StoredDatabase },
  { additionalProperties: false },
);

export const STATE_FILE_VERSION = 1;

export const StateFile = Type.Object(
  {
    version: Type.Literal(STATE_FILE_VERSION),
    saved_at: Type.String({ description: 'when it was written (ISO 8601)' }),
    sites: Type.Record(Type.String({ pattern: SITE_NAME_PATTERN }), StoredSite, {
      description: 'by site name',
    }),
  },
  { additionalProperties: false },
);
export type StateFile = Static<typeof StateFile>;

const stateFileChecker = TypeCompiler.Compile(StateFile);

/** One site as the state file kept it. */
export interface SiteState {
  users: ApiUser[];
  database: DatabaseSnapshot;
}

/** A state file that cannot be read or does not have the expected shape. */
export class StateFileError extends Error {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(`state file ${path}: ${why}`);
    this.name = 'StateFileError';
  }
}

/** The sites kept in a state file, by name; undefined when the file does not exist. */
export function readStateFile(path: string): Map<string, SiteState> | undefined {
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new StateFileError(path, `cannot be read (${errorText(error)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(path, `is not valid JSON (${errorText(error)}); move it away to start afresh`);
  }
  const problems = schemaProblems(stateFileChecker, value);
  if (problems.length > 0) {
    const list = problems
      .slice(0, 5)
      .map((p) => `${p.path === '' ? '(top level)' : p.path}: ${p.message}`)
      .join('; ');
    throw new StateFileError(path, `is not a simulator state file (${list}); move it away to start afresh`);
  }
  const file = value as StateFile;
  const out = new Map<string, SiteState>();
  for (const [name, site] of Object.entries(file.sites)) {
    out.set(name, { users: site.users.map(apiUserOf), database: site.database as DatabaseSnapshot });
  }
  return out;
}

/** The state file's contents for these sites, now. */
export function stateOf(sites: readonly Site[], now: Date = new Date()): StateFile {
  const out: StateFile = { version: STATE_FILE_VERSION, saved_at: now.toISOString(), sites: {} };
  for (const site of sites)
    out.sites[site.name] = { users: site.users.map(userEntryOf), database: site.snapshot() };
  return out;
}

/**
 * Writes a state file atomically: a temporary file beside it (mode 0600), flushed to disk, then
 * renamed over the old one. A crash mid-write leaves the previous state whole.
 */
export async function writeStateFile(path: string, state: StateFile): Promise<void> {
  await writeAtomically(path, JSON.stringify(state));
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await chmod(temp, 0o600);
  await rename(temp, path);
}

export interface StateFileWriterOptions {
  /** Writes wait this long after a change, so a burst of commits is one write. Default 200 ms. */
  debounceMs?: number;
  /** Where write failures are reported (the simulator keeps running). Default: stderr. */
  onError?: (error: unknown) => void;
}

/**
 * Keeps a state file up to date: listens to the sites' commits, writes (debounced) after a
 * change, and once more on close. Writes never overlap.
 */
export class StateFileWriter {
  readonly #path: string;
  readonly #sites: readonly Site[];
  readonly #debounceMs: number;
  readonly #onError: (error: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(path: string, sites: readonly Site[], options: StateFileWriterOptions = {}) {
    this.#path = path;
    this.#sites = sites;
    this.#debounceMs = options.debounceMs ?? 200;
    this.#onError =
      options.onError ??
      ((error) => process.stderr.write(`erpnext-sim: cannot write ${path}: ${errorText(error)}\n`));
    for (const site of sites) site.onChange(() => this.changed());
  }

  /** A site committed: write soon. */
  changed(): void {
    if (this.#closed) return;
    this.#dirty = true;
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#debounceMs);
  }

  /** Writes now (after any write under way), whether or not something changed. */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#dirty = false;
    // Serialized now, so the file holds the state of this moment even if a write is under way.
    const text = JSON.stringify(stateOf(this.#sites));
    this.#writing = this.#writing
      .then(() => writeAtomically(this.#path, text))
      .catch((error: unknown) => {
        this.#dirty = true;
        this.#onError(error);
      });
    return this.#writing;
  }

  /** Stops listening and writes the final state. */
  async close(): Promise<void> {
    if (this.#closed) return this.#writing;
    this.#closed = true;
    for (const site of this.#sites) site.onChange(() => {});
    await this.flush();
  }

  get dirty(): boolean {
    return this.#dirty;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
