import { encodeEvent, eventSubject, type IntercoEvent, messageId } from '@interco/contracts';
import { JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import type { BusNames } from '../names.js';
import { MAX_EVENT_BYTES } from './ensure-stream.js';

/** An event too large for the stream (over MAX_EVENT_BYTES): nothing was published. */
export class EventTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    event: Pick<IntercoEvent, 'type' | 'transferid'>,
  ) {
    super(
      `event ${event.type} of ${event.transferid} is ${bytes} bytes, over the ${MAX_EVENT_BYTES}-byte limit of the stream`,
    );
    this.name = 'EventTooLargeError';
  }
}

/** JetStream's answer to a message over the stream's `max_msg_size` (headers count too). */
const SERVER_TOO_LARGE = 10054;

/** Publishes Interco events on the stream, deduplicated by their message id. */
export class EventPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly names: BusNames,
  ) {}

  /**
   * Publishes one event on `eventSubject(event, prefix)` with `Nats-Msg-Id = messageId(event)`.
   * `duplicate` is true when the stream had it already (same id inside the duplicate window):
   * `seq` is then the sequence of the first copy. An event over MAX_EVENT_BYTES (or one the
   * server refuses as too large, its headers included) throws EventTooLargeError.
   */
  async publish(event: IntercoEvent): Promise<{ seq: number; duplicate: boolean }> {
    const data = encodeEvent(event);
    if (data.byteLength > MAX_EVENT_BYTES) throw new EventTooLargeError(data.byteLength, event);
    try {
      const ack = await this.js.publish(eventSubject(event, this.names.subjectPrefix), data, {
        msgID: messageId(event),
      });
      return { seq: ack.seq, duplicate: ack.duplicate === true };
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === SERVER_TOO_LARGE) {
        throw new EventTooLargeError(data.byteLength, event);
      }
      throw error;
    }
  }
}
