import { newEventId } from '../common/ids.js';
import type { DataOf, EventOf, EventType } from './catalogue.js';
import { SCHEMA_VERSION } from './envelope.js';

/** What a producer knows about the transfer an event is about. */
export interface EventContext {
  readonly transferid: string;
  readonly generation: number;
  /** The token id of whoever caused the chain of events. */
  readonly actor: string;
  /** The publishing service, e.g. `interco/po-a`. */
  readonly source: string;
}

/** Builds an event of the catalogue: a fresh id, the time, the envelope and its data. */
export function newEvent<T extends EventType>(
  type: T,
  context: EventContext,
  data: DataOf<T>,
  now: Date = new Date(),
): EventOf<T> {
  const event = {
    specversion: '1.0',
    id: newEventId(now.getTime()),
    source: context.source,
    type,
    time: now.toISOString(),
    transferid: context.transferid,
    generation: context.generation,
    actor: context.actor,
    schemaversion: SCHEMA_VERSION,
    data,
  };
  // TypeScript cannot narrow a generic conditional type; the fields above are EventOf<T>'s.
  return event as EventOf<T>;
}
