/**
 * Exactly once: the marker, its unique Custom Field (prepare), the lookup by marker,
 * find-before-create, and the idempotent cancel.
 */
export { type CancelOnceOutcome, type CancelOnceResult, cancelOnce } from './cancel-once.js';
export {
  contentDifferences,
  type ExpectedContent,
  type InsertOnceOptions,
  type InsertOnceOutcome,
  type InsertOnceResult,
  type InsertOnceVia,
  insertOnce,
} from './insert-once.js';
export { checkMarker, findByMarker, type MarkedDocumentsOptions, markedDocuments } from './lookup.js';
export {
  MARKED_DOCTYPES,
  MARKER_FIELD,
  MARKER_FIELDNAME,
  MARKER_LABEL,
  MAX_MARKER_LENGTH,
  type MarkedDoctype,
  marker,
} from './marker.js';
export {
  type MarkedDocument,
  MarkerError,
  type MarkerErrorInit,
  type MarkerErrorReason,
} from './marker-error.js';
export {
  describePrepare,
  MARKER_INSERT_AFTER,
  markerCustomField,
  markerCustomFieldName,
  markerFieldProblems,
  type PrepareOptions,
  type PrepareProblemKind,
  type PrepareResult,
  prepared,
  prepareInstance,
} from './prepare.js';
