import { nameKey, type Problem, ProblemList } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { FaultConfig } from '../faults/fault-config.schema.js';
import type { ApiUser } from '../frappe/context.js';
import { CHILD_FIELDS, type DocTypeDef, Meta, STANDARD_FIELDS } from '../frappe/meta.js';
import type { SiteSetup } from './site.js';

/**
 * The sites file (`erpnext-sim --sites <file>`): which ERPNext sites to simulate, their API users,
 * master data, settings and faults. JSON; this schema is its definition.
 */

/** An API user of a site (a User with an API key and secret). */
export const SiteUserEntry = Type.Object(
  {
    email: Type.String({
      minLength: 1,
      description: 'what frappe.auth.get_logged_user answers, e.g. "api@a.example"',
    }),
    api_key: Type.String({
      minLength: 1,
      pattern: '^[^:\\s]+$',
      description: 'the key of `Authorization: token <api_key>:<api_secret>` (no colon, no space)',
    }),
    api_secret: Type.String({
      minLength: 1,
      pattern: '^[^:\\s]+$',
      description: 'the secret (no colon, no space)',
    }),
    cannot_submit: Type.Optional(
      Type.Array(Type.String(), { description: 'doctypes this user may not submit (PermissionError 403)' }),
    ),
    cannot_cancel: Type.Optional(
      Type.Array(Type.String(), { description: 'doctypes this user may not cancel (PermissionError 403)' }),
    ),
    system_manager: Type.Optional(
      Type.Boolean({ description: 'whether the user may insert Custom Fields (default true)' }),
    ),
  },
  { additionalProperties: false },
);
export type SiteUserEntry = Static<typeof SiteUserEntry>;

/** One record of master data: its doctype and its fields, as a POST /api/resource body. */
export const RecordEntry = Type.Object(
  { doctype: Type.String({ minLength: 1, description: 'e.g. "Company", "Item"' }) },
  { additionalProperties: true },
);

/** Records, inserted in order through the same rules as API inserts (links must exist first). */
export const RecordsEntry = Type.Array(RecordEntry);

/** Single doctypes' values, e.g. `{ "Buying Settings": { "po_required": "Yes" } }`. */
export const SettingsEntry = Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()));
export type SettingsEntry = Static<typeof SettingsEntry>;

export const SITE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

/** One site. */
export const SiteEntry = Type.Object(
  {
    name: Type.String({
      pattern: SITE_NAME_PATTERN,
      description: 'the site name: letters, digits, ".", "_", "-" (at most 64); unique in the file',
    }),
    port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description: 'the port to listen on (0 = a free port); default: --port-base + index, or a free port',
      }),
    ),
    users: Type.Array(SiteUserEntry, {
      minItems: 1,
      description: 'API users; the first one loads the records',
    }),
    records: Type.Optional(RecordsEntry),
    settings: Type.Optional(SettingsEntry),
    faults: Type.Optional(FaultConfig),
  },
  { additionalProperties: false },
);
export type SiteEntry = Static<typeof SiteEntry>;

export const SitesFile = Type.Object(
  { sites: Type.Array(SiteEntry, { minItems: 1 }) },
  { additionalProperties: false, description: 'the sites the simulator serves, each on its own port' },
);
export type SitesFile = Static<typeof SitesFile>;

/** The body of `POST /__sim/records`: records and settings, as in a site entry. */
export const RecordsBody = Type.Object(
  { records: Type.Optional(RecordsEntry), settings: Type.Optional(SettingsEntry) },
  { additionalProperties: false },
);
export type RecordsBody = Static<typeof RecordsBody>;

/** A site's setup plus the port it asks for. */
export type SiteConfig = SiteSetup & { port?: number };

/** A sites file (or records body) that does not pass: every problem, each with its path. */
export class SitesFileError extends Error {
  readonly problems: Problem[];

  constructor(what: string, problems: Problem[]) {
    super(
      `${what}:\n${problems.map((p) => `  ${p.path === '' ? '(top level)' : p.path}: ${p.message}`).join('\n')}`,
    );
    this.name = 'SitesFileError';
    this.problems = problems;
  }
}

const sitesFileChecker = TypeCompiler.Compile(SitesFile);
const recordsBodyChecker = TypeCompiler.Compile(RecordsBody);

/**
 * Checks a parsed sites file and turns it into site setups (with their ports). Throws
 * SitesFileError listing every problem as `sites[1].users[0].api_key: is required`.
 */
export function parseSitesFile(value: unknown): SiteConfig[] {
  const problems = schemaProblems(sitesFileChecker, value);
  if (problems.length > 0) throw new SitesFileError('invalid sites file', problems);
  const file = value as SitesFile;
  const more = new ProblemList(50);
  checkSites(file, more);
  if (more.size > 0) throw new SitesFileError('invalid sites file', more.toArray());
  return file.sites.map(siteConfigOf);
}

/** Checks a `POST /__sim/records` body; throws SitesFileError naming the bad paths. */
export function parseRecordsBody(value: unknown): {
  records: Static<typeof RecordsEntry>;
  settings: SettingsEntry;
} {
  const problems = schemaProblems(recordsBodyChecker, value);
  if (problems.length > 0) throw new SitesFileError('invalid records', problems);
  const body = value as RecordsBody;
  const more = new ProblemList(50);
  checkRecordsAndSettings(body, '', more, new Meta());
  if (more.size > 0) throw new SitesFileError('invalid records', more.toArray());
  return { records: body.records ?? [], settings: body.settings ?? {} };
}

/** The users of a site entry as the simulator keeps them. */
export function apiUserOf(entry: SiteUserEntry): ApiUser {
  return {
    email: entry.email,
    apiKey: entry.api_key,
    apiSecret: entry.api_secret,
    ...(entry.cannot_submit === undefined ? {} : { cannotSubmit: [...entry.cannot_submit] }),
    ...(entry.cannot_cancel === undefined ? {} : { cannotCancel: [...entry.cannot_cancel] }),
    ...(entry.system_manager === undefined ? {} : { systemManager: entry.system_manager }),
  };
}

/** And back, for files (the state file keeps users in the sites file's form). */
export function userEntryOf(user: ApiUser): SiteUserEntry {
  return {
    email: user.email,
    api_key: user.apiKey,
    api_secret: user.apiSecret,
    ...(user.cannotSubmit === undefined ? {} : { cannot_submit: [...user.cannotSubmit] }),
    ...(user.cannotCancel === undefined ? {} : { cannot_cancel: [...user.cannotCancel] }),
    ...(user.systemManager === undefined ? {} : { system_manager: user.systemManager }),
  };
}

function siteConfigOf(entry: SiteEntry): SiteConfig {
  return {
    name: entry.name,
    users: entry.users.map(apiUserOf),
    ...(entry.port === undefined ? {} : { port: entry.port }),
    ...(entry.records === undefined ? {} : { records: structuredClone(entry.records) }),
    ...(entry.settings === undefined ? {} : { settings: structuredClone(entry.settings) }),
    ...(entry.faults === undefined ? {} : { faults: structuredClone(entry.faults) }),
  };
}

/** Rules beyond the types: unique names, ports and keys; known doctypes and fields. */
function checkSites(file: SitesFile, problems: ProblemList): void {
  const names = new Map<string, number>();
  const ports = new Map<number, number>();
  file.sites.forEach((site, i) => {
    const at = `sites[${i}]`;
    const sameName = names.get(nameKey(site.name));
    if (sameName === undefined) names.set(nameKey(site.name), i);
    else problems.add(`${at}.name`, `repeats sites[${sameName}].name: each site needs its own name`);
    if (site.port !== undefined && site.port !== 0) {
      const samePort = ports.get(site.port);
      if (samePort === undefined) ports.set(site.port, i);
      else problems.add(`${at}.port`, `repeats sites[${samePort}].port: each site listens on its own port`);
    }
    const keys = new Map<string, number>();
    site.users.forEach((user, j) => {
      const sameKey = keys.get(user.api_key);
      if (sameKey === undefined) keys.set(user.api_key, j);
      else problems.add(`${at}.users[${j}].api_key`, `repeats ${at}.users[${sameKey}].api_key`);
    });
    checkRecordsAndSettings(site, at, problems, new Meta());
  });
}

/**
 * Records must be of doctypes one can insert (not single, not child tables), with fields the
 * doctype has; settings must name single doctypes and their fields. Custom fields (`custom_*`)
 * are let through: a Custom Field record earlier in the list may add them.
 */
function checkRecordsAndSettings(
  entry: { records?: RecordsBody['records']; settings?: RecordsBody['settings'] },
  at: string,
  problems: ProblemList,
  meta: Meta,
): void {
  const prefix = at === '' ? '' : `${at}.`;
  (entry.records ?? []).forEach((record, i) => {
    const path = `${prefix}records[${i}]`;
    const def = meta.get(record.doctype);
    if (def === undefined || def.issingle || def.istable) {
      const why = def?.issingle
        ? 'is a single doctype: put its values under "settings"'
        : def?.istable
          ? 'is a child table: put its rows in their parent record'
          : 'is not a doctype the simulator knows';
      problems.add(`${path}.doctype`, `"${record.doctype}" ${why} (one of: ${insertable(meta).join(', ')})`);
      return;
    }
    checkFields(def, record, path, problems, meta, ['doctype', ...STANDARD_FIELDS]);
  });
  for (const [doctype, values] of Object.entries(entry.settings ?? {})) {
    const path = `${prefix}settings${propertyPath(doctype)}`;
    const def = meta.get(doctype);
    if (def === undefined || !def.issingle) {
      const singles = meta
        .all()
        .filter((d) => d.issingle)
        .map((d) => d.name);
      problems.add(path, `is not a single doctype (one of: ${singles.join(', ')})`);
      continue;
    }
    checkFields(def, values, path, problems, meta, ['doctype', ...STANDARD_FIELDS]);
  }
}

function checkFields(
  def: DocTypeDef,
  values: Record<string, unknown>,
  path: string,
  problems: ProblemList,
  meta: Meta,
  allowed: readonly string[],
): void {
  for (const [key, value] of Object.entries(values)) {
    if (allowed.includes(key) || key.startsWith('custom_')) continue;
    const field = def.fields.find((f) => f.fieldname === key);
    if (field === undefined) {
      problems.add(`${path}${propertyPath(key)}`, `is not a field of ${def.name}`);
      continue;
    }
    if (field.fieldtype !== 'Table') continue;
    const child = meta.get(field.options ?? '');
    if (!Array.isArray(value)) {
      problems.add(`${path}${propertyPath(key)}`, 'must be an array of rows');
      continue;
    }
    if (child === undefined) continue;
    value.forEach((row: unknown, i) => {
      const rowPath = `${path}${propertyPath(key)}[${i}]`;
      if (typeof row !== 'object' || row === null || Array.isArray(row))
        problems.add(rowPath, 'must be an object');
      else
        checkFields(child, row as Record<string, unknown>, rowPath, problems, meta, [
          'doctype',
          ...STANDARD_FIELDS,
          ...CHILD_FIELDS,
        ]);
    });
  }
}

function insertable(meta: Meta): string[] {
  return meta
    .all()
    .filter((d) => !d.issingle && !d.istable)
    .map((d) => d.name);
}

/** `.key`, or `["Buying Settings"]` for a key with other characters than letters, digits and `_`. */
function propertyPath(key: string): string {
  return /^[A-Za-z0-9_]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * A JSON pointer (as TypeBox reports) as a path into `root`: `sites[1].users[0].api_key`.
 * Indexes only where the value is an array (`error_rates.500` is a key, not an index).
 */
export function pointerPath(pointer: string, root: unknown): string {
  if (pointer === '') return '';
  let out = '';
  let value: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(value) && /^(0|[1-9]\d*)$/.test(key)) {
      out += `[${key}]`;
      value = value[Number(key)];
      continue;
    }
    out += out === '' && /^[A-Za-z0-9_]+$/.test(key) ? key : propertyPath(key);
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

/** A compiled TypeBox schema (TypeCompiler.Compile). */
export interface Checker {
  Check(value: unknown): boolean;
  Errors(value: unknown): Iterable<ValueError>;
}

/** A compiled TypeBox schema's errors as problems with paths (`sites[1].users[0].api_key`). */
export function schemaProblems(checker: Checker, value: unknown): Problem[] {
  if (checker.Check(value)) return [];
  const problems = new ProblemList(50);
  for (const error of checker.Errors(value))
    problems.add(pointerPath(error.path, value), describeError(error));
  return problems.toArray();
}

/** A TypeBox error in words. */
export function describeError(error: ValueError): string {
  const schema = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known field';
    case ValueErrorType.Object:
      return error.path === '' ? 'must be a JSON object' : 'must be an object';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1
        ? 'must not be empty'
        : `must have at least ${String(schema.minLength)} characters`;
    case ValueErrorType.StringPattern:
      return `must match ${String(schema.pattern)}`;
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Number:
      return 'must be a number';
    case ValueErrorType.Integer:
      return 'must be a whole number';
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${String(schema.minimum)}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `must be at most ${String(schema.maximum)}`;
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(schema.minItems)} ${schema.minItems === 1 ? 'entry' : 'entries'}`;
    case ValueErrorType.Union:
      return error.path.endsWith('/commit_then_drop')
        ? 'must be true, false or a number from 0 to 1'
        : error.message;
    default:
      return error.message;
  }
}
