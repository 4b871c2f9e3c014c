/**
 * How the runtime logs an error: ERPNext's errors by their `toJSON()` (instance, operation, kind,
 * reason, status, exc_type: never ERPNext's words, which may quote serials); a StepFailure or
 * TransientStepError by its messages (Interco's own, without serials); NATS being unavailable
 * (`natsUnavailable`), a StoreError, an EventTooLargeError or a LeaseLostError by name and message,
 * without a stack (they are expected); anything else (a bug) with its stack under `err`. Never pass an ErpnextError to pino's `err` serializer: it copies every
 * field, `messages` and `exception` included.
 */
import { ErpnextError, MarkerError } from '@interco/erpnext';
import { natsUnavailable } from '../nats/nats-unavailable.js';
import { StoreError } from '../stores/store-error.js';
import { EventTooLargeError } from '../stream/event-publisher.js';
import { LeaseLostError, StepFailure, TransientStepError } from './step-errors.js';

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
  if (error instanceof StoreError)
    return { error: { name: error.name, kind: error.kind, message: error.message } };
  if (error instanceof EventTooLargeError) {
    return { error: { name: error.name, message: error.message, bytes: error.bytes } };
  }
  if (error instanceof LeaseLostError) return { error: { name: error.name, message: error.message } };
  if (natsUnavailable(error)) return { error: natsFields(error) };
  return { err: error };
}

/** Name and message of a NATS error and of its causes, no stack. */
function natsFields(error: unknown, depth = 0): Record<string, unknown> {
  const err = error as Error;
  const fields: Record<string, unknown> = { name: err.name, message: err.message };
  if (err.cause instanceof Error && depth < 3) fields.cause = natsFields(err.cause, depth + 1);
  return fields;
}
