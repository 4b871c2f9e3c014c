/**
 * `prepareInstance`: installs the marker Custom Field (`custom_interco_marker`, unique) on the
 * doctypes Interco writes, once per ERPNext site, so that the database itself refuses a second
 * document with the same marker.
 *
 * Idempotent and safe to run from several places at once. For each doctype it reads the Custom
 * Field `<doctype>-custom_interco_marker` first:
 * - there and right (Data, unique, read-only, no-copy): `already`;
 * - there but wrong: a `problem` for a person. Prepare never changes an existing field: making
 *   it unique adds a unique index to a table that may already hold duplicate markers (the ALTER
 *   fails, or the duplicates must be resolved first), which is a person's decision;
 * - absent: inserted (`installed`). A parallel prepare that inserted it first makes ours fail
 *   with DuplicateEntryError or "A field with the name ... already exists": read it again.
 *
 * Installing Custom Fields needs the System Manager role: a 403 becomes an `auth` problem that
 * says so. Nothing here throws an ErpnextError: every failure is reported for its doctype, and
 * running prepare again is always safe.
 */
import type { ErpnextClient, ErpnextDoc } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import { getIfExists } from './lookup.js';
import { MARKED_DOCTYPES, MARKER_FIELDNAME, MARKER_LABEL, type MarkedDoctype } from './marker.js';

/** Why a doctype is not prepared. */
export type PrepareProblemKind =
  /** The field exists but is not what Interco needs (not unique, not read-only...): fix it by hand. */
  | 'field'
  /** The API user may not install Custom Fields (needs System Manager), or its credentials are refused. */
  | 'auth'
  /** ERPNext refused the field for another reason (its own words are in the message). */
  | 'permanent'
  /** The site could not be reached or answered too late: run prepare again. */
  | 'transient';

export type PrepareResult =
  | { doctype: MarkedDoctype; outcome: 'installed' }
  | { doctype: MarkedDoctype; outcome: 'already' }
  | { doctype: MarkedDoctype; outcome: 'problem'; kind: PrepareProblemKind; message: string };

export interface PrepareOptions {
  /** Default: all of MARKED_DOCTYPES (company B only needs Purchase Receipt; the others do no harm). */
  doctypes?: readonly MarkedDoctype[];
}

/**
 * Where the field goes on the form: after the party, in the header, where a person looking at a
 * document sees it. (Frappe does not check `insert_after`; an unknown one puts the field last.)
 */
export const MARKER_INSERT_AFTER: Readonly<Record<MarkedDoctype, string>> = {
  'Purchase Order': 'supplier',
  'Purchase Receipt': 'supplier',
  'Delivery Note': 'customer',
};

/** The name Frappe gives the Custom Field record: `<doctype>-<fieldname>`. */
export function markerCustomFieldName(doctype: MarkedDoctype): string {
  return `${doctype}-${MARKER_FIELDNAME}`;
}

/** The Custom Field record prepare inserts on `doctype`. */
export function markerCustomField(doctype: MarkedDoctype): Record<string, unknown> {
  return {
    dt: doctype,
    fieldname: MARKER_FIELDNAME,
    label: MARKER_LABEL,
    fieldtype: 'Data',
    unique: 1,
    search_index: 1,
    read_only: 1,
    no_copy: 1,
    allow_on_submit: 0,
    insert_after: MARKER_INSERT_AFTER[doctype],
  };
}

/**
 * What is wrong with an existing marker Custom Field, for a person; `[]` when it is right.
 * `unique` is what exactly-once rests on; `read_only` keeps people from editing a marker;
 * `no_copy` keeps a duplicated or amended document from carrying (and being refused for) it.
 */
export function markerFieldProblems(field: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const fieldtype = field.fieldtype ?? 'Data';
  if (fieldtype !== 'Data') problems.push(`its type is ${String(fieldtype)}, not Data`);
  if (!checked(field.unique)) problems.push('it is not Unique');
  if (!checked(field.read_only)) problems.push('it is not Read Only');
  if (!checked(field.no_copy)) problems.push('it is not No Copy');
  return problems;
}

/** Installs the marker field where it is missing; one result per doctype, in order. */
export async function prepareInstance(
  client: ErpnextClient,
  options: PrepareOptions = {},
): Promise<PrepareResult[]> {
  const results: PrepareResult[] = [];
  for (const doctype of options.doctypes ?? MARKED_DOCTYPES) {
    results.push(await prepareDoctype(client, doctype));
  }
  return results;
}

/** Whether every doctype is prepared (installed or already there). */
export function prepared(results: readonly PrepareResult[]): boolean {
  return results.every((result) => result.outcome !== 'problem');
}

/** One line per doctype, for a person (a CLI, a log). */
export function describePrepare(instanceId: string, results: readonly PrepareResult[]): string[] {
  return results.map((result) =>
    result.outcome === 'problem'
      ? `${instanceId} ${result.doctype}: problem (${result.kind}): ${result.message}`
      : `${instanceId} ${result.doctype}: ${result.outcome}`,
  );
}

async function prepareDoctype(client: ErpnextClient, doctype: MarkedDoctype): Promise<PrepareResult> {
  try {
    const existing = await readField(client, doctype);
    if (existing !== undefined) return await judge(client, doctype, existing, 'already');
    let inserted: ErpnextDoc;
    try {
      inserted = await client.insert('Custom Field', markerCustomField(doctype));
    } catch (error) {
      // A parallel prepare got there first, or our insert's answer was lost: read it again.
      if (!(error instanceof ErpnextError) || !(alreadyExists(error) || error.outcomeUnknown)) throw error;
      const now = await readField(client, doctype);
      if (now === undefined) throw error;
      return await judge(client, doctype, now, alreadyExists(error) ? 'already' : 'installed');
    }
    return await judge(client, doctype, inserted, 'installed');
  } catch (error) {
    if (error instanceof ErpnextError) return problemOf(client.instanceId, doctype, error);
    throw error;
  }
}

function readField(client: ErpnextClient, doctype: MarkedDoctype): Promise<ErpnextDoc | undefined> {
  return getIfExists(client, 'Custom Field', markerCustomFieldName(doctype));
}

/** 409 DuplicateEntryError on the record's name, or Custom Field's own "already exists" (417). */
function alreadyExists(error: ErpnextError): boolean {
  if (error.reason === 'duplicate') return true;
  if (error.reason !== 'validation') return false;
  return [...error.messages, error.exception ?? ''].some((text) =>
    /A field with the name .* already exists/i.test(text),
  );
}

async function judge(
  client: ErpnextClient,
  doctype: MarkedDoctype,
  field: ErpnextDoc,
  outcome: 'installed' | 'already',
): Promise<PrepareResult> {
  const problems = markerFieldProblems(field);
  if (problems.length === 0) return { doctype, outcome };
  const steps: string[] = [];
  if (!checked(field.unique)) {
    steps.push(await duplicateCheck(client, doctype));
    steps.push(
      `Prepare does not make an existing field unique by itself: that adds a unique index to a table that may already hold documents with the same marker.`,
    );
  }
  return {
    doctype,
    outcome: 'problem',
    kind: 'field',
    message: [
      `The Custom Field ${markerCustomFieldName(doctype)} exists but ${problems.join(', ')}; Interco needs it Unique, Read Only and No Copy (type Data) to make each document exactly once.`,
      ...steps,
      `Fix it in Customize Form (${doctype}, field ${MARKER_LABEL}) and run prepare again.`,
    ].join(' '),
  };
}

/**
 * How many documents carry a marker and whether some share one (compared as ERPNext compares
 * them, case-insensitively): what a person needs to know before ticking Unique.
 */
async function duplicateCheck(client: ErpnextClient, doctype: MarkedDoctype): Promise<string> {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = await client.listAll(doctype, {
      fields: ['name', MARKER_FIELDNAME],
      filters: [[MARKER_FIELDNAME, 'is', 'set']],
    });
  } catch (error) {
    const why = error instanceof ErpnextError ? error.reason : 'an unexpected error';
    return `Could not check ${doctype} for documents sharing a marker (${why}): check before making it unique.`;
  }
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = String(row[MARKER_FIELDNAME]).trim().toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const shared = [...counts].filter(([, n]) => n > 1).map(([key]) => key);
  if (shared.length === 0) {
    return `${rows.length} ${doctype} document(s) carry a marker and no two share one: it can be made unique as it is.`;
  }
  const examples = shared.slice(0, 3).join(', ');
  return `${shared.length} marker(s) are carried by more than one ${doctype} (e.g. ${examples}): cancel or delete the extra documents (keep one per marker) and clear their marker before making it unique.`;
}

function problemOf(instanceId: string, doctype: MarkedDoctype, error: ErpnextError): PrepareResult {
  const problem = (kind: PrepareProblemKind, message: string): PrepareResult => ({
    doctype,
    outcome: 'problem',
    kind,
    message,
  });
  if (error.reason === 'unauthenticated') {
    return problem(
      'auth',
      `ERPNext refused the instance's API key and secret (${error.message}). Fix the credentials of ${instanceId}, then run prepare again.`,
    );
  }
  if (error.kind === 'auth') {
    return problem(
      'auth',
      `The API user of ${instanceId} may not install Custom Fields: prepare needs the System Manager role (${error.message}). Give the API user that role, or run prepare once with a System Manager's API key, then run prepare again.`,
    );
  }
  if (error.kind === 'transient' || error.kind === 'conflict') {
    return problem(
      'transient',
      `Could not prepare ${doctype} (${error.message}). Run prepare again: it is safe to repeat.`,
    );
  }
  return problem('permanent', `ERPNext refused the marker field on ${doctype}: ${error.message}`);
}

/** A Check field: 1 (or true, or "1") when ticked; absent when 0 (null fields are omitted). */
function checked(value: unknown): boolean {
  return value === 1 || value === true || value === '1';
}
