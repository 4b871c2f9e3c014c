/**
 * The tracker through a rotation of INTERCO_SECRET_KEY, on the real nats-server and MongoDB-wire
 * server (docs/secret-key-rotation.md): K1, then K2 with previous K1 (and the data key re-sealed),
 * then K2 alone. A transfer is found by its serial before and after, whichever key sealed it:
 * the serial index is keyed by the stored serial digest key, not by INTERCO_SECRET_KEY.
 */
import { DataKeyStore, EventPublisher, ManifestStore } from '@interco/bus';
import { sampleRequest } from '@interco/bus/test-support';
import { newTransferId } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferList, TransferSerialsPage } from './http/schemas.js';
import { transferEvents } from './test-support/query-fixtures.js';
import { openTrackerDeployment, type TrackerDeployment } from './test-support/tracker-deployment.js';

const k1 = SecretBox.generateKeyText();
const k2 = SecretBox.generateKeyText();
const K1 = SecretBox.fromKeyText(k1);
const ROTATED = SecretBox.fromKeyText(k2).withPrevious(k1);
const K2 = SecretBox.fromKeyText(k2);

let deployment: TrackerDeployment;

beforeAll(async () => {
  deployment = await openTrackerDeployment('tracker-rotation-test');
  // intake's first start, under K1, creates the serial digest key (the tracker only reads it)
  await deployment.createSerialDigestKey(K1);
});

afterAll(async () => {
  await deployment?.close();
});

/** The tracker of this deployment, restarted with `box` (the read model stays). */
const restart = (box: SecretBox) => deployment.start({ box, projectorTuning: { fetchExpiresMs: 1000 } });
const get = <T>(path: string) => deployment.get<T>(path);

/** The transfers found by `serial`, once some are (the projector applies events as they come). */
async function foundBySerial(serial: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { body } = await get<TransferList>(`/v1/transfers?serial=${encodeURIComponent(serial)}`);
    if (body.transfers.length > 0 || Date.now() > deadline) return body.transfers.map((t) => t.transfer_id);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Requests a transfer (3 serials `<prefix>-0-<i>`) whose manifest is sealed with `box`. */
async function request(box: SecretBox, prefix: string): Promise<string> {
  const id = newTransferId();
  const manifest = await (await ManifestStore.open(deployment.nc, deployment.names, box)).put(
    id,
    sampleRequest(3, 1, prefix),
  );
  const publisher = new EventPublisher(jetstream(deployment.nc), deployment.names);
  for (const event of transferEvents({
    transferId: id,
    createdAt: new Date(),
    outcome: 'requested',
    manifest,
  })) {
    await publisher.publish(event);
  }
  return id;
}

async function serialsOf(id: string): Promise<{ status: number; serials: string[] }> {
  const { status, body } = await get<Partial<TransferSerialsPage>>(`/v1/transfers/${id}/serials`);
  return { status, serials: (body.serials ?? []).map((entry) => entry.serial) };
}

describe('the tracker across a rotation of INTERCO_SECRET_KEY', () => {
  // One test: each phase runs on what the one before left (the same deployment, restarted).
  it('finds every transfer by serial at each phase; K1 alone no longer starts once it is re-sealed', async () => {
    // K1: a transfer is indexed by its serials
    await restart(K1);
    const old = await request(K1, 'OLD');
    expect(await foundBySerial('old-0-1')).toEqual([old]);

    // K2 + previous K1: finds the old transfer and a new one by serial, and opens both manifests
    await restart(ROTATED);
    const fresh = await request(ROTATED, 'NEW');
    expect(await foundBySerial('NEW-0-2')).toEqual([fresh]);
    expect(await foundBySerial('OLD-0-1')).toEqual([old]);
    expect(await serialsOf(old)).toEqual({ status: 200, serials: ['OLD-0-0', 'OLD-0-1', 'OLD-0-2'] });
    expect(await serialsOf(fresh)).toEqual({ status: 200, serials: ['NEW-0-0', 'NEW-0-1', 'NEW-0-2'] });
    // intake's re-seal (POST /v1/admin/secret-key/reseal) seals the serial digest key with K2
    expect(await (await DataKeyStore.open(deployment.nc, deployment.names, ROTATED)).reseal()).toEqual({
      resealed: 1,
      unchanged: 0,
      unreadable: 0,
    });

    // K2 alone: both are still found by serial; only the old manifest is out of reach
    await restart(K2);
    const third = await request(K2, 'THIRD');
    expect(await foundBySerial('third-0-0')).toEqual([third]);
    expect(await foundBySerial('OLD-0-2')).toEqual([old]);
    expect(await foundBySerial('new-0-0')).toEqual([fresh]);
    expect((await serialsOf(fresh)).serials).toHaveLength(3);
    // the old manifest only K1 opens: the documented cost of dropping K1 before it was final
    expect((await serialsOf(old)).status).not.toBe(200);

    // K1 alone no longer starts once the data key is re-sealed with K2: it fails at once
    await deployment.stop();
    await expect(restart(K1)).rejects.toMatchObject({ name: 'StoreError', kind: 'tampered' });
  });
});
