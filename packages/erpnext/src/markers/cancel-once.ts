/**
 * `cancelOnce`: makes a submitted document cancelled, safely when repeated (compensation retries,
 * a lost answer, two workers). Never retries the cancel blindly:
 *
 * 1. read the document:
 *    - cancelled (docstatus 2): `already_cancelled`, nothing is written;
 *    - a draft (docstatus 0): MarkerError `draft_not_cancellable` (ERPNext cancels only submitted
 *      documents; compensation deletes the draft or leaves it);
 *    - submitted (docstatus 1): go on;
 * 2. `frappe.client.cancel` once: `cancelled`;
 * 3. the cancel's outcome is unknown (connection dropped after sending, timeout, 502/504), or it
 *    was refused with 417 "Cannot edit cancelled document" (someone cancelled it between 1 and 2):
 *    read it again; cancelled by now: `cancelled`; otherwise the cancel's error. The client's
 *    write timeout exceeds the worker timeout, so by then the server has committed or rolled back;
 * 4. any other error (LinkExistsError: a submitted document still links to it; a frozen stock
 *    period; no cancel permission...): the cancel's error as it is.
 */
import type { ErpnextClient, ErpnextDoc } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import { lookupAfter } from './lookup.js';
import { MARKER_FIELDNAME } from './marker.js';
import { type MarkedDocument, MarkerError } from './marker-error.js';

export type CancelOnceOutcome =
  /** Cancelled by this call (or, when this call's answer was lost, found cancelled afterwards). */
  | 'cancelled'
  /** Already cancelled before this call: nothing was written. */
  | 'already_cancelled';

export interface CancelOnceResult {
  outcome: CancelOnceOutcome;
  /** The cancelled document (docstatus 2), as ERPNext answered it. */
  doc: ErpnextDoc;
}

/** The text of Frappe's refusal to change a cancelled document (check_docstatus_transition). */
const CANCELLED_TEXT = /cannot edit cancelled document/i;

/**
 * Throws ErpnextError as the client does (not_found when the document does not exist; the cancel's
 * own error when it is refused, e.g. 417 LinkExistsError, or when its outcome is unknown and the
 * document is still submitted) and MarkerError `draft_not_cancellable` for a draft.
 */
export async function cancelOnce(
  client: ErpnextClient,
  doctype: string,
  name: string,
): Promise<CancelOnceResult> {
  const doc = await client.get(doctype, name);
  const status = docstatusOf(doc);
  if (status === 2) return { outcome: 'already_cancelled', doc };
  if (status === 0) throw draftNotCancellable(client.instanceId, doctype, doc);
  try {
    return { outcome: 'cancelled', doc: await client.cancel(doctype, name) };
  } catch (error) {
    if (!(error instanceof ErpnextError)) throw error;
    if (!error.outcomeUnknown && !cancelledMeanwhile(error)) throw error;
    const fresh = await lookupAfter(error, () => client.get(doctype, name));
    if (docstatusOf(fresh) === 2) return { outcome: 'cancelled', doc: fresh };
    throw error;
  }
}

/** A 417 saying the document is cancelled already: Frappe's words, in `exception` or `messages`. */
function cancelledMeanwhile(error: ErpnextError): boolean {
  if (error.status !== 417) return false;
  return [error.exception ?? '', ...error.messages].some((text) => CANCELLED_TEXT.test(text));
}

function draftNotCancellable(instanceId: string, doctype: string, doc: ErpnextDoc): MarkerError {
  const carried = doc[MARKER_FIELDNAME];
  const document: MarkedDocument = { name: doc.name, docstatus: 0 };
  if (typeof doc.modified === 'string') document.modified = doc.modified;
  return new MarkerError({
    reason: 'draft_not_cancellable',
    instanceId,
    operation: `cancel once ${doctype}`,
    doctype,
    marker: typeof carried === 'string' ? carried : '',
    documents: [document],
    messages: [
      `${doctype} ${doc.name} is a draft (docstatus 0), and ERPNext cannot cancel a draft: only a submitted document can be cancelled.`,
      'A draft has not moved stock or accounts, so there is nothing to undo: compensation should delete the draft or leave it as it is, not cancel it.',
    ],
  });
}

/** 0 draft, 1 submitted, 2 cancelled (Frappe always sends it). */
function docstatusOf(doc: ErpnextDoc): number {
  return Number(doc.docstatus ?? 0);
}
