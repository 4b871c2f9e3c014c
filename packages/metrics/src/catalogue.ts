/**
 * The metric catalogue (docs/running.md, "Metrics catalogue"): every series' name, help, type
 * and label names, defined once. ServiceMetrics registers a series the first time it is recorded,
 * so a service's /metrics lists what that service does, and nothing it does not.
 *
 * Label values come from bounded sets only (instance ids, steps, statuses, outcomes, error kinds,
 * HTTP methods and statuses), never a transfer id, a document name or a serial.
 */

/** What a step did with a message (one per message taken from its consumer). */
export type StepOutcome =
  /** the step's documents are made and `<step>.done` is published */
  | 'done'
  /** compensation finished: `<step>.cancelled` is published */
  | 'cancelled'
  /** `<step>.failed` is published (a person must look at it) */
  | 'failed'
  /** `<step>.cancel_failed` is published */
  | 'cancel_failed'
  /** a transient failure with the instance unavailable: `<step>.waiting` is published, nak'ed */
  | 'waiting'
  /** another transient failure (or a lost lease, a publish that failed): nak'ed, comes again */
  | 'retry'
  /** nothing to do for this step (already done, another step's retry, transfer cancelled): acked */
  | 'skipped'
  /** not this step's turn yet, or the lease is held by another replica: nak'ed, comes again */
  | 'deferred'
  /** not an event this step can use: terminated */
  | 'rejected'
  /** the transfer changed under the work (cancelled, another generation, gone): acked */
  | 'stopped'
  /** the worker was stopped abruptly mid-work: neither acked nor nak'ed, comes again after ack_wait */
  | 'abandoned';

export const STEP_OUTCOMES: readonly StepOutcome[] = [
  'done',
  'cancelled',
  'failed',
  'cancel_failed',
  'waiting',
  'retry',
  'skipped',
  'deferred',
  'rejected',
  'stopped',
  'abandoned',
];

/**
 * What intake answered a transfer request (POST /v1/transfers): `accepted` (202, new),
 * `replayed` (202, the same Idempotency-Key and body again), `rejected` (4xx: invalid, conflict,
 * too large, not authenticated...), `error` (5xx).
 */
export type SubmitOutcome = 'accepted' | 'replayed' | 'rejected' | 'error';

export const SUBMIT_OUTCOMES: readonly SubmitOutcome[] = ['accepted', 'replayed', 'rejected', 'error'];

/** A circuit breaker's state, as `interco_erpnext_breaker_state` gives it (0, 1, 2). */
export type BreakerStateName = 'closed' | 'half-open' | 'open';

export const BREAKER_STATE_VALUES: Readonly<Record<BreakerStateName, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/**
 * `operation` of the ERPNext series: the call's verb alone, never its doctype, method path or
 * arguments; `other` for anything else.
 */
export const ERPNEXT_OPERATIONS = [
  'get',
  'get_single',
  'list',
  'insert',
  'submit',
  'cancel',
  'call',
  'ping',
  'other',
] as const;

export type ErpnextOperation = (typeof ERPNEXT_OPERATIONS)[number];

/** `method` of the ERPNext series. */
export const ERPNEXT_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

export type ErpnextMethod = (typeof ERPNEXT_METHODS)[number];

/**
 * `status` of an ERPNext request that got no HTTP answer (else it is the HTTP status, three
 * digits).
 */
export const ERPNEXT_NO_ANSWER_STATUSES = ['network', 'timeout', 'breaker_open', 'client_error'] as const;

/** `status` of the ERPNext series: an HTTP status (100 to 599), or why there was none. */
export function isErpnextStatusLabel(value: string): boolean {
  return /^[1-5]\d\d$/.test(value) || (ERPNEXT_NO_ANSWER_STATUSES as readonly string[]).includes(value);
}

/**
 * `kind` of `interco_erpnext_request_errors_total`: ErpnextError's kinds (@interco/erpnext
 * passes its own type, so a kind missing here fails its build).
 */
export const ERPNEXT_ERROR_KINDS = ['transient', 'conflict', 'permanent', 'auth'] as const;

export type ErpnextErrorKindLabel = (typeof ERPNEXT_ERROR_KINDS)[number];

/**
 * `reason` of `interco_erpnext_request_errors_total`: ErpnextError's reasons (see its
 * ErpnextErrorReason; a reason missing here fails @interco/erpnext's build).
 */
export const ERPNEXT_ERROR_REASONS = [
  'network',
  'timeout',
  'gateway',
  'unavailable',
  'deadlock',
  'lock_timeout',
  'database_unavailable',
  'rate_limited',
  'breaker_open',
  'unique_violation',
  'timestamp_mismatch',
  'validation',
  'not_found',
  'duplicate',
  'server_error',
  'too_large',
  'request_line_too_long',
  'bad_request',
  'unexpected_status',
  'bad_response',
  'client_error',
  'unauthenticated',
  'forbidden',
] as const;

export type ErpnextErrorReasonLabel = (typeof ERPNEXT_ERROR_REASONS)[number];

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition<L extends string = string> {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly L[];
  /** Histograms only: the upper bounds of the buckets, in seconds. */
  readonly buckets?: readonly number[];
}

function define<const L extends string>(definition: MetricDefinition<L>): MetricDefinition<L> {
  return definition;
}

/** Buckets of a step's work: from a fast skip to a large transfer's minutes. */
const STEP_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Buckets of one ERPNext request: a read in milliseconds to a write near the worker timeout. */
const ERPNEXT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export const CATALOGUE = {
  buildInfo: define({
    name: 'interco_build_info',
    type: 'gauge',
    help: 'Always 1: the service and its version.',
    labels: ['service', 'version'],
  }),
  transfers: define({
    name: 'interco_transfers',
    type: 'gauge',
    help: 'Transfers in the read model by status (every status, 0 included).',
    labels: ['status'],
  }),
  transfersSubmitted: define({
    name: 'interco_transfers_submitted_total',
    type: 'counter',
    help: 'Transfer requests intake answered, by outcome (accepted, replayed, rejected, error).',
    labels: ['outcome'],
  }),
  stepDuration: define({
    name: 'interco_step_duration_seconds',
    type: 'histogram',
    help: 'A step message from taking it to its outcome published (and acked or nak’ed), by step and outcome.',
    labels: ['step', 'outcome'],
    buckets: STEP_BUCKETS,
  }),
  stepMessages: define({
    name: 'interco_step_messages_total',
    type: 'counter',
    help: 'Step messages handled, by step and outcome.',
    labels: ['step', 'outcome'],
  }),
  erpnextRequestDuration: define({
    name: 'interco_erpnext_request_duration_seconds',
    type: 'histogram',
    help: 'ERPNext requests (each attempt that reached the transport) by instance, HTTP method, operation and status (the HTTP status, or network, timeout, client_error).',
    labels: ['instance', 'method', 'operation', 'status'],
    buckets: ERPNEXT_BUCKETS,
  }),
  erpnextRequestErrors: define({
    name: 'interco_erpnext_request_errors_total',
    type: 'counter',
    help: 'Failed ERPNext requests (each attempt, a refusal by the open breaker included: status breaker_open) by instance, status, kind (transient, conflict, permanent, auth) and reason.',
    labels: ['instance', 'status', 'kind', 'reason'],
  }),
  erpnextBreakerState: define({
    name: 'interco_erpnext_breaker_state',
    type: 'gauge',
    help: 'The circuit breaker of each ERPNext instance a step service holds a client for: 0 closed, 1 half-open, 2 open.',
    labels: ['instance'],
  }),
  consumerPending: define({
    name: 'interco_consumer_pending',
    type: 'gauge',
    help: 'Messages of the JetStream consumer not yet delivered (num_pending), read at scrape time.',
    labels: ['consumer'],
  }),
  consumerAckPending: define({
    name: 'interco_consumer_ack_pending',
    type: 'gauge',
    help: 'Messages of the JetStream consumer delivered and not yet acknowledged (num_ack_pending), read at scrape time.',
    labels: ['consumer'],
  }),
  consumerRedeliveries: define({
    name: 'interco_consumer_redeliveries_total',
    type: 'counter',
    help: 'Messages this process received from the consumer with a delivery count above 1.',
    labels: ['consumer'],
  }),
} as const;
