/**
 * How the runtime logs an error: ERPNext's errors by their `toJSON()` (instance, operation, kind,
 * reason, status, exc_type: never ERPNext's words, which may quote serials); a StepFailure or
 * TransientStepError by its messages (Interco's own, without serials); anything else (a bug) with
 * its stack under `err`. Never pass an ErpnextError to pino's `err` serializer: it copies every
 * field, `messages` and `exception` included.
 */
import { ErpnextError, MarkerError } from '@interco/erpnext';
import { StepFailure, TransientStepError } from './step-errors.js';

export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof ErpnextError) return { error: error.toJSON() };
  if (error instanceof MarkerError) {
    return {
      error: {
        name: error.name,
        kind: error.kind,
        reason: error.reason,
        instanceId: error.instanceId,
        operation: error.operation,
        doctype: error.doctype,
        marker: error.marker,
        documents: error.documents.map((doc) => doc.name),
      },
    };
  }
  if (error instanceof StepFailure) {
    return { error: { name: error.name, messages: error.messages, retryable: error.retryable } };
  }
  if (error instanceof TransientStepError) return { error: { name: error.name, messages: error.messages } };
  return { err: error };
}
