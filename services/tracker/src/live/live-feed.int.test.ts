/**
 * GET /v1/live on whole trackers over real NATS and FerretDB: a new stream (no Last-Event-ID)
 * starts at the first event of the projectors' batches in flight (from the durable consumer's
 * info, read by any replica), so an event published but not yet projected when a client opens
 * the stream is sent to it, and a message stuck far back (nak'ed for minutes) does not make every
 * stream replay what came since; without that consumer, a new stream starts from now. The first
 * comment says the stream's last sequence at open; a resume too far back is refused.
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

  it('a message the projector cannot decode (nak’ed for 5 min) holding the ack floor: only what is in flight is sent', async () => {
    const js = jetstream(deployment.nc);
    const publisher = new EventPublisher(js, deployment.names);
    const jsm = await jetstreamManager(deployment.nc);
    const tracker = await deployment.start({ box, projectorTuning: { fetchExpiresMs: 1000 } });
    const stuck = await js.publish(`${deployment.names.subjectPrefix}.t.tr_bogus.po_a.done`, 'not json');
    let lastApplied = 0;
    for (let i = 0; i < 3; i += 1) {
      for (const event of transferEvents({
        transferId: newTransferId(),
        createdAt: new Date(),
        outcome: 'done_1',
      })) {
        lastApplied = (await publisher.publish(event)).seq;
      }
    }
    // Every event applied and acked but the undecodable one: the ack floor stays before it.
    await eventually(async () => {
      const consumer = await jsm.consumers.info(deployment.names.stream, TRACKER_CONSUMER);
      return consumer.delivered.stream_seq === lastApplied && consumer.num_ack_pending === 1;
    });
    const consumer = await jsm.consumers.info(deployment.names.stream, TRACKER_CONSUMER);
    expect(consumer.ack_floor.stream_seq).toBeLessThan(stuck.seq);
    expect(lastApplied - stuck.seq).toBeGreaterThan(2);

    const live = await openLive(tracker);
    try {
      expect(live.status).toBe(200);
      expect(live.header('x-interco-last-seq')).toBe(String(lastApplied));
      const after = await publisher.publish(requestedOfNewTransfer());
      const messages = await messagesUpTo(live, String(after.seq));
      // The last delivered event again (delivered − ack pending: harmless), then the new one; not
      // every event since the stuck message.
      expect(messages.map((message) => message.id)).toEqual([String(lastApplied), String(after.seq)]);
      expect(live.sawComment(`connected last_seq=${lastApplied}`)).toBe(true);
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

describe('GET /v1/live, a resume', () => {
  it('400 naming Last-Event-ID when it is more than 1,000 events before the end; one transfer’s stream resumes', async () => {
    const js = jetstream(deployment.nc);
    const jsm = await jetstreamManager(deployment.nc);
    const tracker = await deployment.start({ box, projector: false });
    const first = (await jsm.streams.info(deployment.names.stream)).state.last_seq;
    const transferId = newTransferId();
    for (let i = 0; i < 1_001; i += 1) {
      await js.publish(`${deployment.names.subjectPrefix}.t.${transferId}.filler`, 'not an event');
    }
    const lastSeq = (await jsm.streams.info(deployment.names.stream)).state.last_seq;
    const headers = { authorization: `Bearer ${deployment.token}` };
    const old = await fetch(`${tracker.url}/v1/live`, {
      headers: { ...headers, 'last-event-id': String(first) },
    });
    expect(old.status).toBe(400);
    expect(await old.json()).toMatchObject({
      error: 'invalid_request',
      problems: [
        {
          path: 'Last-Event-ID',
          message:
            'the stream has moved on more than 1,000 events: read the transfers again and open the stream without Last-Event-ID',
        },
      ],
    });
    // 1,000 events back is served
    const recent = await openSse(`${tracker.url}/v1/live`, {
      ...headers,
      'last-event-id': String(lastSeq - 1_000),
    });
    expect(recent.status).toBe(200);
    expect(recent.header('x-interco-last-seq')).toBe(String(lastSeq));
    recent.close();
    // one transfer's stream carries its own events alone: resumed from that far back
    const one = await openSse(`${tracker.url}/v1/live?transfer_id=${transferId}`, {
      ...headers,
      'last-event-id': String(first),
    });
    expect(one.status).toBe(200);
    one.close();
  });
});
