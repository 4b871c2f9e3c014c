import type { Step } from '@interco/contracts';
import type { MarkerField } from '../errors/erpnext-error.js';

/**
 * The exactly-once marker every document Interco writes carries, in a unique Custom Field:
 * `<transfer id>:<step>:<chunk>`, e.g. `tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B:pr_a:3`. ERPNext itself
 * then refuses a second document with the same marker (UniqueValidationError).
 */
export const MARKER_FIELDNAME = 'custom_interco_marker';
export const MARKER_LABEL = 'Interco Marker';
/** The marker field as the client and the errors name it (a unique violation on it is a conflict). */
export const MARKER_FIELD: MarkerField = { fieldname: MARKER_FIELDNAME, label: MARKER_LABEL };
/** The doctypes that carry it. */
export const MARKED_DOCTYPES = ['Purchase Order', 'Purchase Receipt', 'Delivery Note'] as const;
export type MarkedDoctype = (typeof MARKED_DOCTYPES)[number];
/** A Data field holds 140 characters. */
export const MAX_MARKER_LENGTH = 140;

export function marker(transferId: string, step: Step, chunk: number): string {
  return `${transferId}:${step}:${chunk}`;
}
