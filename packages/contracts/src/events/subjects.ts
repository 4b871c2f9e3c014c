import type { EventType, IntercoEvent } from './catalogue.js';

/**
 * NATS subjects: `<prefix>.t.<transfer id>.<event type>`, e.g.
 * `interco.t.tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B.po_a.done`. A consumer of one event type filters with
 * a wildcard on the transfer id; one transfer's history is one filter. The prefix is configurable
 * so that tests (and several deployments on one NATS) do not see each other.
 */
export const DEFAULT_SUBJECT_PREFIX = 'interco';

export function eventSubject(
  event: Pick<IntercoEvent, 'transferid' | 'type'>,
  prefix = DEFAULT_SUBJECT_PREFIX,
): string {
  return `${prefix}.t.${event.transferid}.${event.type}`;
}

/** Every event of one type, any transfer. */
export function eventTypeFilter(type: EventType, prefix = DEFAULT_SUBJECT_PREFIX): string {
  return `${prefix}.t.*.${type}`;
}

/** Every event of one transfer. */
export function transferFilter(transferId: string, prefix = DEFAULT_SUBJECT_PREFIX): string {
  return `${prefix}.t.${transferId}.>`;
}

/** Every Interco event. */
export function allEventsFilter(prefix = DEFAULT_SUBJECT_PREFIX): string {
  return `${prefix}.t.>`;
}

/**
 * The JetStream message id (`Nats-Msg-Id`) of an event: the same fact published twice gets the
 * same id and is dropped by the stream's duplicate window, while a retry or cancel (a new
 * generation) is a new fact. A step may wait several times in one generation: each wait is its
 * own fact, told apart by its attempt.
 */
export function messageId(event: IntercoEvent): string {
  const base = `${event.transferid}.${event.type}.g${event.generation}`;
  return event.type.endsWith('.waiting') && 'attempt' in event.data ? `${base}.a${event.data.attempt}` : base;
}
