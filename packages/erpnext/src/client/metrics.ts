/**
 * What the ERPNext client records (ErpnextClientOptions.metrics): a ServiceMetrics of
 * @interco/metrics fits. Requests and failures only: the breaker's state is reported by whoever
 * keeps a client for the life of the process (ErpnextClientOptions.onBreakerState), never by a
 * client made for one call. The labels come from the bounded sets of @interco/metrics: the
 * operation is the call's verb alone (`get`, `list`, `insert`, `submit`, `cancel`, `call`,
 * `ping`...), never its doctype, method path or arguments.
 */
import {
  ERPNEXT_NO_ANSWER_STATUSES,
  ERPNEXT_OPERATIONS,
  type ErpnextOperation,
  type ServiceMetrics,
} from '@interco/metrics';
import type { ErpnextError } from '../errors/erpnext-error.js';

export type ErpnextMetrics = Pick<ServiceMetrics, 'erpnextRequest' | 'erpnextError'>;

const OPERATIONS: ReadonlySet<string> = new Set(ERPNEXT_OPERATIONS);
const NO_ANSWER: ReadonlySet<string> = new Set(ERPNEXT_NO_ANSWER_STATUSES);

/** The verb of an operation (`insert Purchase Order` -> `insert`); `other` for anything else. */
export function operationLabel(operation: string): ErpnextOperation {
  const verb = operation.split(' ', 1)[0] ?? '';
  return OPERATIONS.has(verb) ? (verb as ErpnextOperation) : 'other';
}

/**
 * The `status` label: the HTTP status when there was an answer, else why there was none
 * (network, timeout, breaker_open, client_error; any other reason is `client_error`).
 */
export function statusLabel(httpStatus: number | undefined, error: ErpnextError | undefined): string {
  if (httpStatus !== undefined) return String(httpStatus);
  const reason = error?.reason ?? 'client_error';
  return NO_ANSWER.has(reason) ? reason : 'client_error';
}
