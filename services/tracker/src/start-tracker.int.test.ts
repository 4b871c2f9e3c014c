import { randomBytes } from 'node:crypto';
import { type BusNames, EventPublisher, ManifestStore } from '@interco/bus';
import { sampleRequest } from '@interco/bus/test-support';
import { newTransferId } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { findSamples, parseExposition } from '@interco/metrics';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferCounts, TransferList, TransferView } from './http/schemas.js';
import { TRANSFER_STATUSES } from './queries/counts.js';
import { TRANSFER_INDEXES } from './read-model/tracker-store.js';
import type { RunningTracker } from './start-tracker.js';
import { transferEvents } from './test-support/query-fixtures.js';
import { openTrackerDeployment, type TrackerDeployment } from './test-support/tracker-deployment.js';

const box = SecretBox.fromKeyText(randomBytes(32).toString('base64'));
let deployment: TrackerDeployment;
let tracker: RunningTracker;
let nc: NatsConnection;
let names: BusNames;
const get = <T>(path: string) => deployment.get<T>(path);

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  deployment = await openTrackerDeployment('tracker-start-test');
  ({ nc, names } = deployment);
  await deployment.createSerialDigestKey(box);
  tracker = await deployment.start({ box, projectorTuning: { fetchExpiresMs: 1000 } });
});

afterAll(async () => {
  await deployment?.close();
});

describe('startTracker', () => {
  it('is ready once NATS and MongoDB answer; health and the document are public', async () => {
    const ready = await fetch(`${tracker.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { nats: true, mongodb: true, not_draining: true, projector: true },
    });
    expect((await fetch(`${tracker.url}/openapi.json`)).status).toBe(200);
    expect((await fetch(`${tracker.url}/v1/transfers`)).status).toBe(401);
  });

  it('creates the read model’s indexes at start', async () => {
    const indexes = (await tracker.store.transfers.listIndexes().toArray()).map((index) => index.name);
    expect(indexes.sort()).toEqual(['_id_', ...TRANSFER_INDEXES.map((index) => index.name)].sort());
  });

  it('serves what the projector applies: the transfer, its serials, the counts', async () => {
    const id = newTransferId();
    const manifests = await ManifestStore.open(nc, names, box);
    const manifest = await manifests.put(id, sampleRequest(3, 1, 'PIN'));
    const publisher = new EventPublisher(jetstream(nc), names);
    const events = transferEvents({ transferId: id, createdAt: new Date(), outcome: 'done_2', manifest });
    for (const event of events) await publisher.publish(event);

    const view = await eventually(async () => {
      const { status, body } = await get<TransferView>(`/v1/transfers/${id}`);
      return status === 200 && body.steps.pr_a.status === 'done' ? body : undefined;
    });
    expect(view).toMatchObject({
      transfer_id: id,
      status: 'in_progress',
      current_step: 'dn_a',
      stuck: false,
    });

    const bySerial = await eventually(async () => {
      const { body } = await get<TransferList>('/v1/transfers?serial=pin-0-2');
      return body.transfers.length > 0 ? body : undefined;
    });
    expect(bySerial.transfers.map((t) => t.transfer_id)).toEqual([id]);

    const { body: counts } = await get<TransferCounts>('/v1/transfers/counts');
    expect(counts.by_status.in_progress).toBe(1);
    expect(tracker.projector?.stats().applied_events).toBeGreaterThanOrEqual(events.length);
  });
});

describe('the tracker’s /metrics', () => {
  it('serves, without a token, the transfers by status (every status) and its consumer’s counts', async () => {
    const response = await fetch(`${tracker.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parseExposition(await response.text());
    const byStatus = Object.fromEntries(
      findSamples(samples, 'interco_transfers').map((sample) => [sample.labels.status, sample.value]),
    );
    expect(Object.keys(byStatus).sort()).toEqual([...TRANSFER_STATUSES].sort());
    const { body: counts } = await get<TransferCounts>('/v1/transfers/counts');
    expect(byStatus).toEqual(counts.by_status);
    for (const name of ['interco_consumer_pending', 'interco_consumer_ack_pending']) {
      const [sample] = findSamples(samples, name, { consumer: 'tracker' });
      expect(sample?.value).toBeGreaterThanOrEqual(0);
    }
    expect(findSamples(samples, 'interco_consumer_redeliveries_total', { consumer: 'tracker' })).toHaveLength(
      1,
    );
    expect(findSamples(samples, 'interco_build_info', { service: 'tracker' })).toHaveLength(1);
  });
});
