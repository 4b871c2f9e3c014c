/**
 * `insertOnce`: find-before-create. Makes the document that carries `marker` exist, submitted,
 * exactly once, whatever happened to earlier attempts (a crash after the insert, a lost answer,
 * a parallel worker):
 *
 * 1. unless this is the input's first delivery, look the marker up (cancelled documents ignored):
 *    - one submitted document: reuse it (`found`);
 *    - one draft: submit it, with the whole document as read (`submitted_draft`);
 *    - two or more: MarkerError `duplicate_found`, for a person;
 * 2. insert with the marker (with `submit`, the client adds `docstatus: 1`: insert and submit in
 *    one transaction): `created`;
 * 3. the insert fails with UniqueValidationError on the marker (a conflict): the document exists,
 *    read it back by marker and reuse it as in 1. When only a cancelled document holds the marker:
 *    MarkerError `marker_held_by_cancelled`;
 * 4. the insert's outcome is unknown (connection dropped after sending, timeout, 502/504): look
 *    the marker up; found: reuse it; not found: rethrow the insert's transient error. The client's
 *    write timeout exceeds the site's worker timeout, so when the client gives up the server has
 *    committed or rolled back, and the lookup tells the truth;
 * 5. anything else: the insert's error as it is.
 *
 * With `expected`, a document found by marker (in 1, 3 or 4, a draft before it is submitted) is
 * reused only when it carries exactly the expected quantity of each item: otherwise MarkerError
 * `marker_content_mismatch` (the marker names another cut of the transfer, or the document was
 * edited); a draft is not submitted.
 *
 * The insert is never retried here: a second insert is only ever made by the step's next attempt,
 * which starts again at 1.
 */
import { nameKey } from '@interco/contracts';
import type { ErpnextClient, ErpnextDoc } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import { checkMarker, getIfExists, lookupAfter, markedDocuments } from './lookup.js';
import { MARKER_FIELD, MARKER_FIELDNAME } from './marker.js';
import { type MarkedDocument, MarkerError } from './marker-error.js';

/**
 * What the document must carry, per item: the total `qty` of its rows of that item (item codes
 * compared as MariaDB does, case- and accent-blind; several entries of one code add up).
 * `expectedContent(chunk)` (documents/builders.ts) computes it from a DocumentChunk.
 */
export interface ExpectedContent {
  items: ReadonlyArray<{ readonly item_code: string; readonly qty: number }>;
}

export interface InsertOnceOptions {
  /** The document's marker (`marker(transferId, step, chunk)`): set in the marker field. */
  marker: string;
  /**
   * Insert and submit in one transaction, and submit a draft found by marker. Default true (every
   * document Interco makes is submitted). With false a draft found by marker is reused as it is.
   */
  submit?: boolean;
  /**
   * The step's input is delivered for the first time (first delivery of generation 1): no earlier
   * attempt can have written anything, so the lookup is skipped. A wrong `true` stays safe (the
   * unique marker turns the insert into a read-back) but costs a failed insert.
   */
  firstDelivery?: boolean;
  /**
   * The content a document found by marker must have to be reused (see ExpectedContent). A found
   * document with other quantities or other items: MarkerError `marker_content_mismatch`. Without
   * it, whatever carries the marker is reused.
   */
  expected?: ExpectedContent;
}

export type InsertOnceOutcome =
  /** Inserted (and submitted) by this call. */
  | 'created'
  /** A document with the marker was already there (submitted, or a draft when `submit` is false). */
  | 'found'
  /** A draft with the marker was there: this call submitted it. */
  | 'submitted_draft';

/** How the document was reached: for logs and metrics. */
export type InsertOnceVia =
  /** the lookup before inserting */
  | 'lookup'
  /** the insert itself */
  | 'insert'
  /** the insert was refused as a duplicate of the marker; the document was read back */
  | 'unique_conflict'
  /** the insert's answer was lost; the lookup found the document */
  | 'outcome_unknown';

export interface InsertOnceResult {
  outcome: InsertOnceOutcome;
  /** The document as ERPNext answered it (submitted unless `submit` is false). */
  doc: ErpnextDoc;
  via: InsertOnceVia;
}

interface Job {
  client: ErpnextClient;
  doctype: string;
  marker: string;
  submit: boolean;
  operation: string;
  /** Per nameKey of the item code: the code as given and the total qty. */
  expected: Map<string, ItemTotal> | undefined;
}

interface ItemTotal {
  code: string;
  qty: number;
}

/**
 * Throws ErpnextError (transient: retry the step later; permanent or auth: for a person),
 * MarkerError (permanent: duplicate_found, marker_held_by_cancelled, marker_field_missing,
 * marker_content_mismatch), and RangeError for a blank marker, a body carrying another one, or an
 * `expected` with a blank item code or a quantity that is not a finite number from 0.
 */
export async function insertOnce(
  client: ErpnextClient,
  doctype: string,
  doc: Record<string, unknown>,
  options: InsertOnceOptions,
): Promise<InsertOnceResult> {
  const { marker } = options;
  checkMarker(marker);
  const carried = doc[MARKER_FIELDNAME];
  if (carried !== undefined && carried !== null && carried !== marker) {
    throw new RangeError(`the document carries the marker ${String(carried)}, not ${marker}`);
  }
  const job: Job = {
    client,
    doctype,
    marker,
    submit: options.submit ?? true,
    operation: `insert once ${doctype}`,
    expected: options.expected === undefined ? undefined : expectedTotals(options.expected),
  };

  if (options.firstDelivery !== true) {
    const existing = await reuse(job, 'lookup');
    if (existing !== undefined) return existing;
  }

  let created: ErpnextDoc;
  try {
    created = await client.insert(
      doctype,
      { ...doc, [MARKER_FIELDNAME]: marker },
      { submit: job.submit, marker: MARKER_FIELD },
    );
  } catch (error) {
    if (!(error instanceof ErpnextError)) throw error;
    if (error.isUniqueViolationOn(MARKER_FIELD)) return afterUniqueViolation(job, error);
    if (error.outcomeUnknown) return afterUnknownOutcome(job, error);
    throw error;
  }
  return { outcome: 'created', doc: created, via: 'insert' };
}

/**
 * The live document with the marker, submitted (a draft is submitted when `submit`), or undefined
 * when there is none. Two or more: MarkerError `duplicate_found`.
 */
async function reuse(job: Job, via: InsertOnceVia): Promise<InsertOnceResult | undefined> {
  const doc = await theLiveOne(job);
  if (doc === undefined) return undefined;
  checkContent(job, doc);
  if (docstatusOf(doc) === 0 && job.submit) return submitDraft(job, doc, via, 1);
  return { outcome: 'found', doc, via };
}

/** The one live document with the marker, in full; undefined when none. */
async function theLiveOne(job: Job): Promise<ErpnextDoc | undefined> {
  const live = await markedDocuments(job.client, job.doctype, job.marker);
  if (live.length > 1) throw duplicateFound(job, live);
  const [row] = live;
  if (row === undefined) return undefined;
  const doc = await getIfExists(job.client, job.doctype, row.name);
  // Deleted or cancelled since it was listed: as if it had not been there.
  return doc === undefined || docstatusOf(doc) === 2 ? undefined : doc;
}

const MAX_SUBMIT_ATTEMPTS = 2;

/**
 * `frappe.client.submit` with the whole draft as read. A stale `modified` (TimestampMismatchError:
 * someone saved it meanwhile, perhaps another worker submitting it) or a lost answer: read it
 * again; submitted by now: reuse it; still a draft after a stale `modified`: submit the fresh copy
 * once more; otherwise the submit's error.
 */
async function submitDraft(
  job: Job,
  draft: ErpnextDoc,
  via: InsertOnceVia,
  attempt: number,
): Promise<InsertOnceResult> {
  try {
    return { outcome: 'submitted_draft', doc: await job.client.submit(draft), via };
  } catch (error) {
    if (!(error instanceof ErpnextError)) throw error;
    const stale = error.reason === 'timestamp_mismatch';
    if (!stale && !error.outcomeUnknown) throw error;
    const fresh = await lookupAfter(error, () => theLiveOne(job));
    if (fresh !== undefined) checkContent(job, fresh);
    const status = fresh === undefined ? undefined : docstatusOf(fresh);
    if (fresh !== undefined && status === 1) {
      return { outcome: error.outcomeUnknown ? 'submitted_draft' : 'found', doc: fresh, via };
    }
    if (fresh !== undefined && status === 0 && stale && attempt < MAX_SUBMIT_ATTEMPTS) {
      return submitDraft(job, fresh, via, attempt + 1);
    }
    throw error;
  }
}

/**
 * The database refused the marker: a document holds it. Reuse it when it is live; when only a
 * cancelled one holds it, no new document can carry this marker (MarkerError). When none is
 * found at all (a draft holder deleted meanwhile) the conflict is rethrown: the step's next
 * attempt starts over.
 */
async function afterUniqueViolation(job: Job, conflict: ErpnextError): Promise<InsertOnceResult> {
  const existing = await reuse(job, 'unique_conflict');
  if (existing !== undefined) return existing;
  const all = await markedDocuments(job.client, job.doctype, job.marker, { includeCancelled: true });
  const cancelled = all.filter((doc) => doc.docstatus === 2);
  if (cancelled.length > 0) throw heldByCancelled(job, cancelled, conflict);
  throw conflict;
}

/** The insert may or may not have happened: the lookup decides. Nothing found: the insert's error. */
async function afterUnknownOutcome(job: Job, lost: ErpnextError): Promise<InsertOnceResult> {
  const existing = await lookupAfter(lost, () => reuse(job, 'outcome_unknown'));
  if (existing !== undefined) return existing;
  throw lost;
}

/** Sums `expected` per item code (as MariaDB compares them); RangeError on a malformed entry. */
function expectedTotals(expected: ExpectedContent): Map<string, ItemTotal> {
  const totals = new Map<string, ItemTotal>();
  for (const { item_code: code, qty } of expected.items) {
    if (typeof code !== 'string' || code.trim() === '') {
      throw new RangeError('an expected item needs an item code');
    }
    if (typeof qty !== 'number' || !Number.isFinite(qty) || qty < 0) {
      throw new RangeError(`the expected qty of ${code} must be a finite number from 0`);
    }
    addTo(totals, code, qty);
  }
  return totals;
}

function addTo(totals: Map<string, ItemTotal>, code: string, qty: number): void {
  const key = nameKey(code);
  const total = totals.get(key);
  if (total === undefined) totals.set(key, { code, qty });
  else total.qty += qty;
}

/** The document's rows summed per item code; a row without a usable qty counts as NaN (a mismatch). */
function carriedTotals(doc: ErpnextDoc): Map<string, ItemTotal> {
  const totals = new Map<string, ItemTotal>();
  const rows: unknown = doc.items;
  if (!Array.isArray(rows)) return totals;
  for (const row of rows as unknown[]) {
    const record = typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : {};
    const code = typeof record.item_code === 'string' ? record.item_code : '(no item code)';
    const qty = typeof record.qty === 'number' ? record.qty : Number.NaN;
    addTo(totals, code, qty);
  }
  return totals;
}

/** Serial counts are whole numbers; Floats read back from ERPNext may carry rounding noise. */
function sameQty(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-6;
}

/**
 * Item by item, how the document differs from `expected` (item codes and counts only: never
 * serials, which may be confidential and are far too many for a message).
 */
export function contentDifferences(expected: ExpectedContent, doc: ErpnextDoc): string[] {
  return differences(expectedTotals(expected), carriedTotals(doc));
}

function differences(expected: Map<string, ItemTotal>, carried: Map<string, ItemTotal>): string[] {
  const out: string[] = [];
  for (const [key, want] of expected) {
    const got = carried.get(key);
    if (got === undefined) {
      if (want.qty !== 0) out.push(`${want.code}: ${want.qty} expected, none carried`);
    } else if (!sameQty(want.qty, got.qty)) {
      out.push(`${want.code}: ${want.qty} expected, ${quantity(got.qty)} carried`);
    }
  }
  for (const [key, got] of carried) {
    if (!expected.has(key) && got.qty !== 0) {
      out.push(`${got.code}: none expected, ${quantity(got.qty)} carried`);
    }
  }
  return out;
}

function quantity(qty: number): string {
  return Number.isFinite(qty) ? String(qty) : 'an unreadable quantity';
}

/** MarkerError `marker_content_mismatch` unless the document carries exactly `job.expected`. */
function checkContent(job: Job, doc: ErpnextDoc): void {
  if (job.expected === undefined) return;
  const found = differences(job.expected, carriedTotals(doc));
  if (found.length === 0) return;
  const status = docstatusOf(doc);
  const document: MarkedDocument = { name: doc.name, docstatus: status };
  if (typeof doc.modified === 'string') document.modified = doc.modified;
  throw new MarkerError({
    reason: 'marker_content_mismatch',
    instanceId: job.client.instanceId,
    operation: job.operation,
    doctype: job.doctype,
    marker: job.marker,
    documents: [document],
    messages: [
      `${job.doctype} ${doc.name} (${statusWord(status)}) carries the Interco marker ${job.marker} but not the quantities this step expects: ${found.join('; ')}.`,
      `Interco will not reuse it${status === 0 ? ' (nor submit it)' : ''}.`,
      'The usual cause is a transfer chunked with other limits than those it was requested with, so that the chunk number names other serials (compare the chunking fingerprint stored with the transfer with the one in use); the other is a document changed by hand.',
      'A person must decide: restore the limits the transfer was requested with and retry this step, or cancel the transfer (and its documents) and request it again: a new transfer has new markers.',
    ],
  });
}

function duplicateFound(job: Job, documents: readonly MarkedDocument[]): MarkerError {
  return new MarkerError({
    reason: 'duplicate_found',
    instanceId: job.client.instanceId,
    operation: job.operation,
    doctype: job.doctype,
    marker: job.marker,
    documents,
    messages: [
      `${documents.length} live ${job.doctype} documents carry the Interco marker ${job.marker}: ${listed(documents)}.`,
      'Interco makes one document per marker and will not choose between them.',
      `A person must keep the one that counts, cancel (or, for a draft, delete) the others in ERPNext, then retry the transfer from this step.`,
      `The marker field should have made this impossible: run prepare for this instance to check that ${job.doctype}'s Interco Marker field is unique.`,
    ],
  });
}

function heldByCancelled(
  job: Job,
  cancelled: readonly MarkedDocument[],
  conflict: ErpnextError,
): MarkerError {
  return new MarkerError({
    reason: 'marker_held_by_cancelled',
    instanceId: job.client.instanceId,
    operation: job.operation,
    doctype: job.doctype,
    marker: job.marker,
    documents: cancelled,
    messages: [
      `The Interco marker ${job.marker} is held by the cancelled ${job.doctype} ${cancelled.map((doc) => doc.name).join(', ')}, and no live document carries it.`,
      'ERPNext keeps a cancelled document in the database with its marker, and the unique marker field refuses a new document with the same one.',
      'To go on, either cancel this transfer and request it again (a new transfer has new markers), or have a site administrator clear the marker on the cancelled document and retry the transfer from this step.',
    ],
    cause: conflict,
  });
}

/** 0 draft, 1 submitted, 2 cancelled (Frappe always sends it; absent would mean a new draft). */
function docstatusOf(doc: ErpnextDoc): number {
  return Number(doc.docstatus ?? 0);
}

function statusWord(docstatus: number): string {
  const words: Record<number, string> = { 0: 'draft', 1: 'submitted', 2: 'cancelled' };
  return words[docstatus] ?? `docstatus ${docstatus}`;
}

function listed(documents: readonly MarkedDocument[]): string {
  return documents.map((doc) => `${doc.name} (${statusWord(doc.docstatus)})`).join(', ');
}
