import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';

const NATS_ERRORS = [
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
  JetStreamError,
  JetStreamApiError,
];

/**
 * Whether an error means that NATS (the stream, a bucket) could not be used just now: the
 * request was fine, the answer is 503 with Retry-After, never a 500. Follows `cause` chains
 * (a store may wrap what the client threw).
 */
export function isInfrastructureError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (NATS_ERRORS.some((kind) => current instanceof kind)) return true;
    current = current.cause;
  }
  return false;
}
