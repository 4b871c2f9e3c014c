import { JetStreamApiError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';

/**
 * Whether an error means that NATS (the stream, a bucket, a consumer) could not be used just now:
 * what it says while the server is down, restarting, out of reach or electing a leader. Looks
 * through `cause` (a few levels: a store may wrap what the client threw).
 *
 * - a request timed out; the connection is closed, draining or failed; nobody answered
 *   (`no responders`, which JetStream reports as "jetstream is not enabled");
 * - JetStream answered with a server-side error (status 5xx): 503 "temporarily unavailable",
 *   "insufficient resources", "not enabled"; 500 from a cluster that cannot serve the request now
 *   (no leader, stream or consumer offline). Its 4xx answers (a bad request, a compare-and-set
 *   that lost, a stream not found) are not: they say Interco asked for something wrong;
 * - a pull that lost its server: heartbeats missed, or a 503, 408, or 409 "consumer deleted" /
 *   "leadership change" status.
 *
 * The step runtime retries these with backoff and logs them without a stack (not bugs); intake
 * answers them 503 with Retry-After (never 500).
 */
export function natsUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (unavailableItself(current)) return true;
    current = current.cause;
  }
  return false;
}

function unavailableItself(error: Error): boolean {
  if (
    error instanceof TimeoutError ||
    error instanceof ClosedConnectionError ||
    error instanceof DrainingConnectionError ||
    error instanceof ConnectionError ||
    error instanceof NoRespondersError ||
    error instanceof RequestError ||
    UNAVAILABLE_NAMES.has(error.name)
  ) {
    return true;
  }
  if (error instanceof JetStreamApiError || error.name === 'JetStreamApiError') {
    return serverSide((error as Error & { status?: unknown }).status);
  }
  if (error.name === 'JetStreamError') return /heartbeats missed/i.test(error.message);
  // JetStreamStatusError is not exported by the library: known by its name and code.
  if (error.name === 'JetStreamStatusError') {
    const code = (error as Error & { code?: unknown }).code;
    if (code === 503 || code === 408) return true;
    return code === 409 && LOST_PULL.test(error.message);
  }
  return false;
}

function serverSide(status: unknown): boolean {
  return typeof status === 'number' && status >= 500 && status < 600;
}

/** The 409 statuses of a pull whose consumer went away with its server or leader. */
const LOST_PULL = /^(consumer deleted|leadership change)$/i;

/**
 * The connection-level errors by name as well (a second copy of the library would fail
 * `instanceof`), and JetStreamNotEnabled (no responders on the JetStream API).
 */
const UNAVAILABLE_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'NoResponders',
  'NoRespondersError',
  'RequestError',
  'JetStreamNotEnabled',
]);
