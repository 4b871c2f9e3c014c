/**
 * The few shapes of the tracker's and intake's answers the console reads. They are declared here,
 * by hand, because the browser code cannot import those packages (their modules and types pull
 * in Node): the source of truth stays the TypeBox schemas of services/tracker/src/http/schemas.ts
 * and services/intake/src/routes/*.ts. Only the fields the console uses are listed.
 */

export const STEPS = ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const;
export type Step = (typeof STEPS)[number];

export const TRANSFER_STATUSES = [
  'pending',
  'in_progress',
  'waiting',
  'failed',
  'completed',
  'cancelling',
  'cancel_failed',
  'cancelled',
] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export type StepStatus =
  | 'pending'
  | 'waiting'
  | 'done'
  | 'failed'
  | 'cancelling'
  | 'cancelled'
  | 'cancel_failed';

export type Doctype = 'Purchase Order' | 'Purchase Receipt' | 'Delivery Note';

export interface DocumentRef {
  readonly doctype: Doctype;
  readonly name: string;
  readonly chunk: number;
  readonly serial_count: number;
}

export interface ErrorInfo {
  readonly kind: 'transient' | 'conflict' | 'permanent' | 'auth';
  readonly http_status?: number;
  readonly exc_type?: string;
  readonly messages: readonly string[];
  readonly chunk?: number;
}

export interface StepView {
  readonly status: StepStatus;
  readonly attempts: number;
  readonly documents: readonly DocumentRef[];
  readonly cancelled_documents: readonly DocumentRef[];
  readonly last_error: ErrorInfo | null;
  readonly waiting: { readonly reason: string; readonly next_attempt_at: string } | null;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly duration_ms: number | null;
}

export interface RequestSummary {
  readonly instances: { readonly a: string; readonly b: string };
  readonly companies: {
    readonly a: string;
    readonly b?: string;
    readonly b_customer_in_a: string;
    readonly a_supplier_in_b: string;
  };
  readonly supplier: string;
  readonly warehouses: { readonly a: string; readonly b: string };
  readonly counts: { readonly items: number; readonly serials: number };
  readonly reference: string | null;
  readonly actor: string;
}

export interface TransferView {
  readonly transfer_id: string;
  readonly status: TransferStatus;
  readonly stuck: boolean;
  readonly current_step: Step | null;
  readonly failed_step: Step | null;
  readonly generation: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly request: RequestSummary | null;
  readonly steps: Readonly<Record<Step, StepView>>;
  readonly last_error: (ErrorInfo & { readonly step: Step }) | null;
}

export interface TransferList {
  readonly transfers: readonly TransferView[];
  readonly next_cursor: string | null;
}

export interface TransferCounts {
  readonly total: number;
  readonly by_status: Readonly<Record<string, number>>;
  readonly stuck: number;
  /** When these counts were taken (RFC 3339): the tracker answers them from a cache. */
  readonly as_of: string;
}

export interface JournalEntry {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly generation: number;
  readonly actor: string;
  readonly change: 'applied' | 'stale' | 'invalid';
  readonly reason?: string;
}

export interface TransferEventsPage {
  readonly transfer_id: string;
  readonly events: readonly JournalEntry[];
  readonly next_after_seq: number | null;
}

export interface SerialEntry {
  readonly item_code: string;
  readonly serial: string;
}

export interface TransferSerialsPage {
  readonly transfer_id: string;
  readonly total: number;
  readonly serials: readonly SerialEntry[];
  readonly next_cursor: string | null;
}

/** The `data` of a /v1/live message. */
export interface LiveEventData {
  readonly transfer_id: string;
  readonly type: string;
  readonly time: string;
  readonly generation: number;
  readonly seq: number;
}

/** GET /v1/auth/whoami (tracker). */
export interface WhoAmI {
  readonly name: string;
  readonly scopes: readonly string[];
}

/** GET /console/config.json (tracker). */
export interface ConsoleConfig {
  readonly intake_url: string;
}

/** GET /v1/instances (intake, transfers:read): what the links to ERPNext documents need. */
export interface InstanceLink {
  readonly id: string;
  readonly name: string;
  readonly base_url: string;
}

/** An instance as intake's admin routes answer it (never a credential). */
export interface InstanceSummary {
  readonly id: string;
  readonly name: string;
  readonly base_url: string;
  readonly api_key_hint: string;
  readonly worker_timeout_ms?: number;
  readonly write_timeout_ms?: number;
  readonly read_timeout_ms?: number;
  readonly max_in_flight?: number;
  readonly created_at: string;
  readonly updated_at: string;
}

export type InstanceTestResult =
  | { readonly ok: true; readonly user: string }
  | { readonly ok: false; readonly error: string };

export interface PrepareResult {
  readonly instance: string;
  readonly prepared: boolean;
  readonly results: readonly {
    readonly doctype: string;
    readonly outcome: 'installed' | 'already' | 'problem';
    readonly kind?: string;
    readonly message?: string;
  }[];
  readonly summary: readonly string[];
}

export interface PreflightProblem {
  readonly instance: 'a' | 'b';
  readonly check: string;
  readonly path?: string;
  readonly message: string;
}

export interface PreflightReport {
  readonly ok: boolean;
  readonly problems: readonly PreflightProblem[];
  readonly resolved: { readonly company_b?: string; readonly selling_price_list?: string };
}

/** POST /v1/transfers/{id}/retry|cancel: 202. */
export interface TransferRequestAccepted {
  readonly transfer_id: string;
  readonly generation: number;
  readonly status_url: string;
}

/** The error body of every 4xx and 5xx answer. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly problems?: readonly { readonly path: string; readonly message: string }[];
}
