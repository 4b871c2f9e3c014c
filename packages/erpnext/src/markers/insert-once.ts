/**
 * `insertOnce`: find-before-create. Makes the document that carries `marker` exist, submitted,
 * exactly once, whatever happened to earlier attempts (a crash after the insert, a lost answer,
 * a parallel worker):
 *
 * 1. unless this is the input's first delivery, look the marker up (cancelled documents ignored):
 *    - one submitted document: reuse it (`found`);
 *    - one draft: submit it, with the whole document as read (`submitted_draft`);
 *    - two or more: MarkerError `duplicate_found`, for a person;
 * 2. insert with the marker (and `docstatus: 1`: insert and submit in one transaction): `created`;
 * 3. the insert fails with UniqueValidationError on the marker (a conflict): the document exists,
 *    read it back by marker and reuse it as in 1. When only a cancelled document holds the marker:
 *    MarkerError `marker_held_by_cancelled`;
 * 4. the insert's outcome is unknown (connection dropped after sending, timeout, 502/504): look
 *    the marker up; found: reuse it; not found: rethrow the insert's transient error. The client's
 *    write timeout exceeds the site's worker timeout, so when the client gives up the server has
 *    committed or rolled back, and the lookup tells the truth;
 * 5. anything else: the insert's error as it is.
 *
 * The insert is never retried here: a second insert is only ever made by the step's next attempt,
 * which starts again at 1.
 */
import type { ErpnextClient, ErpnextDoc } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import { checkMarker, getIfExists, markedDocuments } from './lookup.js';
import { MARKER_FIELD, MARKER_FIELDNAME } from './marker.js';
import { type MarkedDocument, MarkerError } from './marker-error.js';

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
}

/**
 * Throws ErpnextError (transient: retry the step later; permanent or auth: for a person),
 * MarkerError (permanent: duplicate_found, marker_held_by_cancelled, marker_field_missing), and
 * RangeError for a blank marker or a body carrying another one.
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

/**
 * A lookup made because a write's answer was lost or stale. If the lookup itself fails
 * transiently, the write's error is the one to report (it says the outcome is unknown); any other
 * failure of the lookup (a duplicate, a missing field, a refusal) is reported as it is.
 */
async function lookupAfter<T>(writeError: ErpnextError, lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof ErpnextError && error.kind === 'transient') throw writeError;
    throw error;
  }
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

function listed(documents: readonly MarkedDocument[]): string {
  const words: Record<number, string> = { 0: 'draft', 1: 'submitted', 2: 'cancelled' };
  return documents
    .map((doc) => `${doc.name} (${words[doc.docstatus] ?? `docstatus ${doc.docstatus}`})`)
    .join(', ');
}
