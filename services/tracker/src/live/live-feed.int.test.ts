/**
 * GET /v1/live on whole trackers over real NATS and FerretDB: a new stream (no Last-Event-ID)
 * starts at the first event the read model may not show yet (the projector's durable consumer's
 * ack floor + 1, read by any replica), so an event published but not yet projected when a client
 * opens the stream is sent to it; without that consumer, a new stream starts from now.
 */
import { randomBytes } from 'node:crypto';
import { EventPublisher } from '@interco/bus';
import { newTransferId } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferView } from '../http/schemas.js';
import { TRACKER_CONSUMER } from '../projection/tracker-consumer.js';
import type { RunningTracker } from '../start-tracker.js';
import { transferEvents } from '../test-support/query-fixtures.js';
import { openSse, type SseConnection, type SseMessage } from '../test-support/sse-client.js';
import { eventually } from '../test-support/stream-fixture.js';
import { openTrackerDeployment, type TrackerDeployment } from '../test-support/tracker-deployment.js';

const box = SecretBox.fromKeyText(randomBytes(32).toString('base64'));
let deployment: TrackerDeployment;

beforeAll(async () => {
  deployment = await openTrackerDeployment('live-feed-test');
  await deployment.createSerialDigestKey(box);
});

afterAll(async () => {
  await deployment?.close();
});

/** The `transfer.requested` event of a new transfer. */
function requestedOfNewTransfer() {
  const [requested] = transferEvents({ transferId: newTransferId(), createdAt: new Date() });
  if (requested === undefined) throw new Error('no events');
  return requested;
}

/** The messages of a stream up to the one with this id (at most 20). */
async function messagesUpTo(live: SseConnection, id: string): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  while (messages.at(-1)?.id !== id && messages.length < 20) messages.push(...(await live.next(1)));
  return messages;
}

function openLive(tracker: RunningTracker): Promise<SseConnection> {
  return openSse(`${tracker.url}/v1/live`, { authorization: `Bearer ${deployment.token}` });
}

describe('GET /v1/live, a new stream', () => {
  it('sends an event published while no projector runs (not in the read model yet), then what comes', async () => {
    const publisher = new EventPublisher(jetstream(deployment.nc), deployment.names);
    const jsm = await jetstreamManager(deployment.nc);
    // A tracker with its projector applies a transfer and acks every event.
    await deployment.start({ box, projectorTuning: { fetchExpiresMs: 1000 } });
    const applied = newTransferId();
    for (const event of transferEvents({ transferId: applied, createdAt: new Date(), outcome: 'done_1' })) {
      await publisher.publish(event);
    }
    await eventually(async () => {
      const { status, body } = await deployment.get<TransferView>(`/v1/transfers/${applied}`);
      return status === 200 && body.steps.po_a.status === 'done';
    });
    await eventually(async () => {
      const [consumer, stream] = await Promise.all([
        jsm.consumers.info(deployment.names.stream, TRACKER_CONSUMER),
        jsm.streams.info(deployment.names.stream),
      ]);
      return consumer.ack_floor.stream_seq === stream.state.last_seq;
    });

    // Its projector stopped: a replica serving the API alone (sharing the durable consumer).
    const apiOnly = await deployment.start({ box, projector: false });
    const pending = requestedOfNewTransfer();
    const published = await publisher.publish(pending);
    expect((await deployment.get(`/v1/transfers/${pending.transferid}`)).status).toBe(404);

    const live = await openLive(apiOnly);
    try {
      expect(live.status).toBe(200);
      const after = await publisher.publish(requestedOfNewTransfer());
      const messages = await messagesUpTo(live, String(after.seq));
      // the event the read model did not show when the stream opened, then the new one
      expect(messages.map((message) => message.id)).toEqual([String(published.seq), String(after.seq)]);
      expect(messages[0]?.data).toMatchObject({
        transfer_id: pending.transferid,
        type: 'transfer.requested',
        event_id: pending.id,
      });
    } finally {
      live.close();
    }
  });

  it('starts from now when the projector’s consumer cannot be read (none yet)', async () => {
    const publisher = new EventPublisher(jetstream(deployment.nc), deployment.names);
    const jsm = await jetstreamManager(deployment.nc);
    const tracker = await deployment.start({ box, projector: false });
    await jsm.consumers.delete(deployment.names.stream, TRACKER_CONSUMER);
    await publisher.publish(requestedOfNewTransfer()); // before the stream opens: not sent
    const live = await openLive(tracker);
    try {
      const after = await publisher.publish(requestedOfNewTransfer());
      expect((await messagesUpTo(live, String(after.seq))).map((message) => message.id)).toEqual([
        String(after.seq),
      ]);
    } finally {
      live.close();
    }
  });
});
