import { TypeCompiler } from '@sinclair/typebox/compiler';
import { registerFormats } from '../common/formats.js';
import { pointerToPath, type ValidationResult } from '../common/problems.js';
import { EVENT_SCHEMAS, EVENT_TYPES, type IntercoEvent, isEventType } from './catalogue.js';

registerFormats();

const checkers = new Map(EVENT_TYPES.map((type) => [type, TypeCompiler.Compile(EVENT_SCHEMAS[type])]));

/** Checks that a value is an event of the catalogue (its `type` picks the schema). */
export function parseEvent(value: unknown): ValidationResult<IntercoEvent> {
  const type = (value as { type?: unknown } | null)?.type;
  if (!isEventType(type)) {
    return { ok: false, problems: [{ path: 'type', message: 'is not an event type of the catalogue' }] };
  }
  const checker = checkers.get(type);
  if (checker?.Check(value)) return { ok: true, value: value as IntercoEvent };
  const problems = [...(checker?.Errors(value) ?? [])]
    .slice(0, 20)
    .map((error) => ({ path: pointerToPath(error.path), message: error.message }));
  return { ok: false, problems };
}

/** Decodes an event from a message payload (UTF-8 JSON). */
export function decodeEvent(payload: Uint8Array): ValidationResult<IntercoEvent> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ok: false, problems: [{ path: '', message: 'is not JSON' }] };
  }
  return parseEvent(value);
}

export function encodeEvent(event: IntercoEvent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(event));
}
