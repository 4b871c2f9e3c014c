/**
 * The `error` of `<step>.failed` and `<step>.cancel_failed` (ErrorInfo), built from what was
 * thrown: ERPNext's decoded messages for an ErpnextError (what the operator reads to fix the
 * cause), a MarkerError's or StepFailure's own messages, a short description otherwise. Bounded to
 * the schema (at most 50 messages of 4,000 characters; exc_type at most 140). With `redact` (the
 * transfer's SerialRedactor), the messages lose their serials before they are cut to size.
 */
import type { ErrorInfo as ErrorInfoSchema } from '@interco/contracts';
import { ErpnextError, MarkerError } from '@interco/erpnext';
import type { Static } from '@sinclair/typebox';
import { StoreError } from '../stores/store-error.js';
import { EventTooLargeError } from '../stream/event-publisher.js';
import { StepFailure, TransientStepError } from './step-errors.js';

export type ErrorInfo = Static<typeof ErrorInfoSchema>;

const MAX_MESSAGES = 50;
const MAX_MESSAGE_LENGTH = 4_000;
const MAX_EXC_TYPE = 140;
const MAX_BUG_TEXT = 500;

/** Takes the serials out of messages (SerialRedactor.redactAll); may stop past `maxLength`. */
export type RedactMessages = (messages: readonly string[], maxLength: number) => string[];

export function errorInfo(error: unknown, chunk?: number, redact?: RedactMessages): ErrorInfo {
  const info = baseInfo(error);
  const where = error instanceof StepFailure && error.chunk !== undefined ? error.chunk : chunk;
  if (where !== undefined && Number.isInteger(where) && where >= 0) info.chunk = where;
  const messages = info.messages.slice(0, MAX_MESSAGES);
  info.messages = bounded(redact === undefined ? messages : redact(messages, MAX_MESSAGE_LENGTH));
  return info;
}

/** Adds a closing line to an ErrorInfo's messages (kept within the bounds). */
export function withMessage(info: ErrorInfo, message: string): ErrorInfo {
  const messages = [...info.messages.slice(0, MAX_MESSAGES - 1), message];
  return { ...info, messages: bounded(messages) };
}

function baseInfo(error: unknown): ErrorInfo {
  if (error instanceof ErpnextError) {
    const info: ErrorInfo = {
      kind: error.kind,
      messages: error.messages.length > 0 ? error.messages : [error.describe()],
    };
    if (error.status !== undefined && error.status >= 100 && error.status <= 599) {
      info.http_status = error.status;
    }
    if (error.excType !== undefined && error.excType !== '') {
      info.exc_type = error.excType.slice(0, MAX_EXC_TYPE);
    }
    return info;
  }
  if (error instanceof MarkerError) return { kind: 'permanent', messages: error.messages };
  if (error instanceof StepFailure) return { kind: 'permanent', messages: error.messages };
  if (error instanceof TransientStepError) return { kind: 'transient', messages: error.messages };
  if (error instanceof StoreError) {
    // StoreError's messages name keys and transfer ids, never serials.
    if (error.kind === 'conflict' || error.kind === 'exists') {
      return { kind: 'transient', messages: [error.message] };
    }
    return {
      kind: 'permanent',
      messages: [
        `What Interco stored for this transfer cannot be used (${error.kind}): ${error.message}`,
        'No retry can read it: a person must look at the stored record or manifest (request the transfer again if it was not carried out).',
      ],
    };
  }
  if (error instanceof EventTooLargeError) {
    return {
      kind: 'permanent',
      messages: [
        `The outcome does not fit in one event: ${error.message}.`,
        'The step’s work may be done in ERPNext but cannot be reported; a person must look at it (smaller transfers, or larger chunks, make fewer documents).',
      ],
    };
  }
  return { kind: 'transient', messages: [bugText(error)] };
}

/** A short line for an unexpected error: its name and message, bounded. */
export function bugText(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name}: ${error.message}` : `unexpected error: ${String(error)}`;
  return text.length > MAX_BUG_TEXT ? `${text.slice(0, MAX_BUG_TEXT - 1)}…` : text;
}

function bounded(messages: readonly string[]): string[] {
  const out = messages
    .slice(0, MAX_MESSAGES)
    .map((m) => (m.length > MAX_MESSAGE_LENGTH ? `${m.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : m));
  return out.length > 0 ? out : ['no message'];
}
