/**
 * MarkerError: what the marker operations find that no single ERPNext answer says, and that a
 * person must sort out. ErpnextError cannot carry these: its `reason` is a closed union decided
 * by `classify()` from one answer (and errors/ is not this module's to change), while these come
 * from reading several answers together (two live documents with one marker; a marker held only
 * by a cancelled document; a site without the marker field; a document found by marker whose
 * content is not the chunk's; a draft that compensation asked to cancel).
 *
 * It has the same shape where a step reads an error (`kind`, `reason`, `instanceId`,
 * `operation`, `messages`, `retryable`, `outcomeUnknown`, `isUniqueViolation`, `describe()`,
 * `toJSON()`), so a step publishes `<step>.failed` from either without telling them apart.
 * `kind` is always `permanent`: retrying cannot help until a person acts.
 */
export type MarkerErrorReason =
  /** Two or more live documents (draft or submitted) carry the marker. */
  | 'duplicate_found'
  /** No live document carries the marker, but a cancelled one does: the unique column keeps it taken. */
  | 'marker_held_by_cancelled'
  /** The doctype has no marker field on this site: `prepareInstance` has not run (or failed). */
  | 'marker_field_missing'
  /**
   * The live document that carries the marker does not carry the expected quantities per item
   * (`insertOnce`'s `expected`): made from another cut of the transfer (other chunking limits),
   * or changed by hand. Never reused.
   */
  | 'marker_content_mismatch'
  /**
   * `cancelOnce` was asked to cancel a draft: ERPNext cancels only submitted documents. The
   * `marker` is the draft's own, or '' when it carries none.
   */
  | 'draft_not_cancellable';

/** A document that carries a marker, as a lookup lists it. */
export interface MarkedDocument {
  name: string;
  /** 0 draft, 1 submitted, 2 cancelled. */
  docstatus: number;
  modified?: string;
}

export interface MarkerErrorInit {
  reason: MarkerErrorReason;
  instanceId: string;
  /** What was attempted, e.g. `insert once Purchase Order`, `cancel once Purchase Order`. */
  operation: string;
  doctype: string;
  marker: string;
  /** The documents involved (the duplicates, the cancelled holder); may be empty. */
  documents?: readonly MarkedDocument[];
  /** For people: what was found and what to do. */
  messages: readonly string[];
  cause?: unknown;
}

export class MarkerError extends Error {
  override readonly name = 'MarkerError';
  readonly kind = 'permanent' as const;
  readonly reason: MarkerErrorReason;
  readonly instanceId: string;
  readonly operation: string;
  readonly doctype: string;
  readonly marker: string;
  readonly documents: MarkedDocument[];
  /** What a person reads: what was found and what to do (there is no ERPNext message to show). */
  readonly messages: string[];
  /** Never a unique violation, never a write of unknown outcome: kept for the ErpnextError shape. */
  readonly isUniqueViolation = false;
  readonly outcomeUnknown = false;

  constructor(init: MarkerErrorInit) {
    super(
      `${init.instanceId}: ${init.operation} failed (permanent, ${init.reason}): ${init.messages.join(' ')}`,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.reason = init.reason;
    this.instanceId = init.instanceId;
    this.operation = init.operation;
    this.doctype = init.doctype;
    this.marker = init.marker;
    this.documents = (init.documents ?? []).map((doc) => ({ ...doc }));
    this.messages = [...init.messages];
  }

  /** Never worth retrying as it is. */
  get retryable(): false {
    return false;
  }

  /** One line for people. */
  describe(): string {
    return this.message;
  }

  /** A plain object for logs and API answers (no `cause`, no stack). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      reason: this.reason,
      instanceId: this.instanceId,
      operation: this.operation,
      doctype: this.doctype,
      marker: this.marker,
      documents: this.documents,
      messages: this.messages,
      isUniqueViolation: this.isUniqueViolation,
      outcomeUnknown: this.outcomeUnknown,
    };
  }
}
