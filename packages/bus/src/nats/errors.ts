import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** Whether a JetStream request failed because the stream does not exist. */
export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}
