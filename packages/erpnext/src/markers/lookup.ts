/**
 * Finding documents by their marker: a list call (a read: retried on transient errors, read
 * timeout) filtered on the marker field, then the full documents with get.
 *
 * ERPNext compares the marker as MariaDB's utf8mb4_unicode_ci collation does (case-insensitively,
 * trailing spaces ignored): `tr_1:po_a:0` finds `TR_1:PO_A:0`. Markers come from `marker()`, so
 * two markers never differ by case alone.
 */
import type { ErpnextClient, ErpnextDoc, ErpnextRow } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import { MARKER_FIELDNAME, MAX_MARKER_LENGTH } from './marker.js';
import { type MarkedDocument, MarkerError } from './marker-error.js';

export interface MarkedDocumentsOptions {
  /** Also list cancelled documents (docstatus 2). Default false. */
  includeCancelled?: boolean;
}

/**
 * The live documents (draft or submitted; cancelled ones ignored) of `doctype` carrying `marker`,
 * in full (child tables included): `[]`, `[doc]`, or more. More than one is a duplicate a person
 * must resolve (`insertOnce` throws MarkerError `duplicate_found` then).
 *
 * Throws ErpnextError as the client does, and MarkerError `marker_field_missing` when the doctype
 * has no marker field on the site (run `prepareInstance`).
 */
export async function findByMarker(
  client: ErpnextClient,
  doctype: string,
  marker: string,
): Promise<ErpnextDoc[]> {
  const docs: ErpnextDoc[] = [];
  for (const row of await markedDocuments(client, doctype, marker)) {
    const doc = await getIfExists(client, doctype, row.name);
    if (doc !== undefined && doc.docstatus !== 2) docs.push(doc);
  }
  return docs;
}

/**
 * The documents carrying `marker` as list rows (name, docstatus, modified), oldest first: live ones
 * only unless `includeCancelled`.
 */
export async function markedDocuments(
  client: ErpnextClient,
  doctype: string,
  marker: string,
  options: MarkedDocumentsOptions = {},
): Promise<MarkedDocument[]> {
  checkMarker(marker);
  const filters: unknown[][] = [[MARKER_FIELDNAME, '=', marker]];
  if (options.includeCancelled !== true) filters.push(['docstatus', '!=', 2]);
  let rows: ErpnextRow[];
  try {
    rows = await client.list(doctype, {
      fields: ['name', 'docstatus', 'modified'],
      filters,
      orderBy: 'creation asc',
      limitPageLength: 0,
    });
  } catch (error) {
    throw missingMarkerField(error, client.instanceId, doctype, marker) ?? error;
  }
  return rows.map(markedDocument);
}

/** The document, or undefined when it is gone (deleted since it was listed). */
export async function getIfExists(
  client: ErpnextClient,
  doctype: string,
  name: string,
): Promise<ErpnextDoc | undefined> {
  try {
    return await client.get(doctype, name);
  } catch (error) {
    if (error instanceof ErpnextError && error.reason === 'not_found') return undefined;
    throw error;
  }
}

/**
 * A read made because a write's answer was lost or stale. If the read itself fails transiently,
 * the write's error is the one to report (it says the outcome is unknown); any other failure of
 * the read (a duplicate, a missing field, a refusal) is reported as it is.
 */
export async function lookupAfter<T>(writeError: ErpnextError, lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof ErpnextError && error.kind === 'transient') throw writeError;
    throw error;
  }
}

/**
 * A marker is what `marker()` makes: never empty (an empty `=` filter would match every document
 * without one), at most a Data field's 140 characters.
 */
export function checkMarker(marker: string): void {
  if (typeof marker !== 'string' || marker.trim() === '' || marker.length > MAX_MARKER_LENGTH) {
    throw new RangeError(`a marker must be 1 to ${MAX_MARKER_LENGTH} characters, not blank`);
  }
}

function markedDocument(row: ErpnextRow): MarkedDocument {
  const doc: MarkedDocument = { name: String(row.name), docstatus: Number(row.docstatus ?? 0) };
  if (typeof row.modified === 'string') doc.modified = row.modified;
  return doc;
}

/**
 * A list on a doctype without the marker column fails with MariaDB's "Unknown column" (a 500
 * OperationalError) or Frappe's "Field not permitted in query" (DataError): the marker field is not
 * installed there. Anything else: undefined.
 */
function missingMarkerField(
  error: unknown,
  instanceId: string,
  doctype: string,
  marker: string,
): MarkerError | undefined {
  if (!(error instanceof ErpnextError) || error.kind !== 'permanent') return undefined;
  const text = [error.exception ?? '', error.detail ?? '', ...error.messages].join('\n');
  if (!text.includes(MARKER_FIELDNAME) || !/unknown column|not permitted in query/i.test(text)) {
    return undefined;
  }
  return new MarkerError({
    reason: 'marker_field_missing',
    instanceId,
    operation: `find ${doctype} by marker`,
    doctype,
    marker,
    messages: [
      `${doctype} has no field ${MARKER_FIELDNAME} on this site, so Interco cannot make its documents exactly once.`,
      'Run prepare for this instance (it installs the unique Interco Marker field; it needs the System Manager role), then retry.',
    ],
    cause: error,
  });
}
