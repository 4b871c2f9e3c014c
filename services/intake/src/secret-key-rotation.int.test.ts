/**
 * A rolling rotation of INTERCO_SECRET_KEY on the real nats-server (docs/secret-key-rotation.md):
 * intake runs with K1, then with K2 + previous K1, re-seals, then with K2 alone. Nothing sealed
 * before is lost, and a serial reserved under K1 is still refused under K2 (the serial digest
 * key does not change with the secret key). Then, each in a deployment of its own: records the
 * check and the re-seal cannot read, checks at the same moment, a lost serial digest key entry,
 * and a deployment older than key rings.
 */
import {
  busNames,
  connectNats,
  DataKeyStore,
  ManifestStore,
  SERIAL_DIGEST_KEY_ENTRY,
  type TransferRecord,
  TransferStore,
} from '@interco/bus';
import type { IntercoEvent } from '@interco/contracts';
import { InstanceRegistry, SECRET_KEY_PREVIOUS_ENV, SecretBox } from '@interco/erpnext';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SecretKeyRotation, type SecretKeyStatus } from './secret-key/secret-key-rotation.js';
import { startIntake } from './start-intake.js';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { serialAt, transferBody } from './test-support/requests.js';
import { compensation, completion } from './test-support/step-events.js';

const k1 = SecretBox.generateKeyText();
const k2 = SecretBox.generateKeyText();
const K1 = SecretBox.fromKeyText(k1);
/** Phase 1 of the procedure: K2 known (open only) before it seals anything. */
const PHASE_1 = SecretBox.fromKeyText(k1).withPrevious(k2);
const ROTATED = SecretBox.fromKeyText(k2).withPrevious(k1);
const K2 = SecretBox.fromKeyText(k2);
/** One deployment, restarted with each key ring. */
const namespace = testNamespace().subjectPrefix;

let t: TestIntake | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(async () => {
  await t?.close();
});

/**
 * intake with this key ring, closed after the test (the rotation's namespace unless given: the
 * same deployment restarted); the one started before is closed first.
 */
async function start(box: SecretBox, inNamespace = namespace): Promise<TestIntake> {
  await t?.close();
  t = undefined;
  t = await startTestIntake({ box, namespace: inNamespace });
  return t;
}

/** How a start of intake ended: its error, or undefined (closed again at once). */
async function startFails(box: SecretBox, inNamespace: string): Promise<Error | undefined> {
  return startIntake({ natsUrl: natsUrl(), namespace: inNamespace, box }).then(
    async (running) => {
      await running.close();
      return undefined;
    },
    (thrown: unknown) => thrown as Error,
  );
}

/** A value sealed as before key rings (v1): the same AES-GCM parts, without the fingerprint. */
const asV1 = (sealed: string) => ['v1', ...sealed.split(':').slice(2)].join(':');

async function submit(intake: TestIntake, body = transferBody()) {
  const writer = await intake.mint(['transfers:write']);
  return intake.call('POST', '/v1/transfers', { body, token: writer.token });
}

async function publish(intake: TestIntake, events: IntercoEvent[]): Promise<void> {
  for (const event of events) await intake.intake.deps.publish(event);
}

async function recordBecomes(intake: TestIntake, id: string, status: TransferRecord['status']) {
  const transfers = intake.intake.deps.transfers as TransferStore;
  for (let i = 0; i < 200; i++) {
    const current = (await transfers.get(id))?.record;
    if (current?.status === status) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`record ${id} did not become ${status}`);
}

async function manifestOf(intake: TestIntake, id: string) {
  const record = (await (intake.intake.deps.transfers as TransferStore).get(id))?.record;
  if (record === undefined) throw new Error(`no record ${id}`);
  return intake.intake.deps.manifests.get(record.manifest.ref, record.manifest.digest, id);
}

async function status(intake: TestIntake): Promise<SecretKeyStatus> {
  const answer = await intake.call('GET', '/v1/admin/secret-key');
  expect(answer.status).toBe(200);
  return answer.body as unknown as SecretKeyStatus;
}

describe('rotating INTERCO_SECRET_KEY: K1, then K2 with previous K1, re-seal, then K2 alone', () => {
  // One deployment restarted with each key ring: each step builds on the one before, so they are
  // the steps of one test. `active` and `done` are requested under K1: `active` stays active
  // through the rotation, `done` is completed before it (and cancelled after it); `later` is
  // requested after it.
  const active = transferBody();
  const done = transferBody();
  const later = transferBody();
  const ids = { active: '', done: '', later: '' };

  /** K1: instances registered, transfers requested (one completed). */
  async function underK1(): Promise<void> {
    const intake = await start(K1);
    await intake.addInstance('erp-a');
    await intake.addInstance('erp-b');
    for (const [name, body] of [
      ['active', active],
      ['done', done],
    ] as const) {
      const answer = await submit(intake, body);
      expect(answer.status).toBe(202);
      ids[name] = String(answer.body.transfer_id);
    }
    await publish(intake, completion(ids.done));
    await recordBecomes(intake, ids.done, 'completed');
  }

  /**
   * K2 + previous K1: what K1 sealed opens, a serial reserved under K1 is still refused, new values
   * are sealed with K2; the re-seal, the check until the K1 transfers are final.
   */
  async function rotated(): Promise<void> {
    const intake = await start(ROTATED);
    // the instances' credentials and the old transfers' manifests open
    expect((await intake.intake.deps.registry.config('erp-a')).api_secret).toBe('secret-for-tests');
    expect(serialAt(await manifestOf(intake, ids.active), 0, 0)).toBe(serialAt(active, 0, 0));

    // the invariant: a serial reserved under K1 is refused (in another case: the digests match)
    const clash = transferBody();
    (clash.items[0] as { serials: string[] }).serials[0] = serialAt(active, 1, 1).toLowerCase();
    const refused = await submit(intake, clash);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'serials_in_use', held_by: [ids.active] });

    const accepted = await submit(intake, later);
    expect(accepted.status).toBe(202);
    ids.later = String(accepted.body.transfer_id);

    // a replica still in phase 1 (K1 current, K2 open-only) runs at the same moment: it opens what
    // K2 sealed, and digests serials the same (the serial just reserved is refused there too)
    const phase1 = await startTestIntake({ box: PHASE_1, namespace });
    try {
      expect(serialAt(await manifestOf(phase1, ids.later), 1, 0)).toBe(serialAt(later, 1, 0));
      const clashLater = transferBody();
      (clashLater.items[0] as { serials: string[] }).serials[1] = serialAt(later, 1, 1);
      const refusedThere = await submit(phase1, clashLater);
      expect(refusedThere.status).toBe(409);
      expect(refusedThere.body).toMatchObject({ error: 'serials_in_use', held_by: [ids.later] });
    } finally {
      await phase1.close();
    }

    // the check: the previous key is needed (instances, the data key, the K1 transfers)
    const before = await status(intake);
    expect(before).toMatchObject({
      current_key: K2.fingerprint,
      previous_keys: [K1.fingerprint],
      instances: { total: 2, current: 0, previous: 2, unknown: 0, unreadable: 0 },
      data_keys: { total: 1, current: 0, previous: 1, unknown: 0, unreadable: 0 },
      transfers: {
        active: { total: 2, current: 1, previous: 1, unknown: 0, unreadable: 0 },
        final: { total: 1, current: 0, previous: 1, unknown: 0, unreadable: 0 },
      },
      previous_key_needed: true,
      final_transfers_needing_previous_key: 1,
    });
    expect(JSON.stringify(before)).not.toContain(k1);

    // admin only
    const writer = await intake.mint(['transfers:write', 'transfers:read']);
    expect((await intake.call('GET', '/v1/admin/secret-key', { token: writer.token })).status).toBe(403);
    expect((await intake.call('POST', '/v1/admin/secret-key/reseal', { token: writer.token })).status).toBe(
      403,
    );

    // re-seal: once, then nothing more to do
    const reseal = await intake.call('POST', '/v1/admin/secret-key/reseal');
    expect(reseal.status).toBe(200);
    expect(reseal.body).toEqual({
      instances: { resealed: 2, unchanged: 0, unreadable: 0 },
      data_keys: { resealed: 1, unchanged: 0, unreadable: 0 },
    });
    const again = await intake.call('POST', '/v1/admin/secret-key/reseal');
    expect(again.body).toEqual({
      instances: { resealed: 0, unchanged: 2, unreadable: 0 },
      data_keys: { resealed: 0, unchanged: 1, unreadable: 0 },
    });

    // still needed: a transfer sealed with K1 is active
    const resealed = await status(intake);
    expect(resealed).toMatchObject({
      instances: { previous: 0 },
      data_keys: { previous: 0 },
      transfers: { active: { previous: 1 } },
      previous_key_needed: true,
    });
    expect(resealed.findings.join('\n')).toContain(
      `keep ${SECRET_KEY_PREVIOUS_ENV} until they are completed or cancelled`,
    );

    // the completed K1 transfer can still be cancelled (its manifest opens with the previous key)
    const cancel = await intake.call('POST', `/v1/transfers/${ids.done}/cancel`, { token: writer.token });
    expect(cancel.status).toBe(202);
    const cancelling = await recordBecomes(intake, ids.done, 'cancelling');
    await publish(intake, compensation(ids.done, cancelling.generation));
    await recordBecomes(intake, ids.done, 'cancelled');

    // once the K1 transfers are final, the previous key is no longer needed for them to work; the
    // check counts the final ones it still opens, and says what dropping it costs
    await publish(intake, completion(ids.active));
    await recordBecomes(intake, ids.active, 'completed');
    const after = await status(intake);
    expect(after).toMatchObject({
      transfers: {
        active: { total: 1, current: 1, previous: 0 },
        final: { total: 2, current: 0, previous: 2 },
      },
      previous_key_needed: false,
      final_transfers_needing_previous_key: 2,
    });
    expect(after.findings).toHaveLength(1);
    expect(after.findings[0]).toContain('2 final transfer(s)');
    expect(after.findings[0]).toContain('can no longer be cancelled');
  }

  /** K1 alone no longer starts once the data key is re-sealed: it fails at once, saying what to do. */
  async function oldKeyAloneRefused(): Promise<void> {
    await t?.close();
    t = undefined;
    const error = await startFails(K1, namespace);
    expect(error).toMatchObject({ name: 'StoreError', kind: 'tampered' });
    expect((error as Error).message).toContain(`fingerprint ${K2.fingerprint}`);
    expect((error as Error).message).not.toContain(k1);
    expect((error as Error).message).not.toContain(k2);
  }

  /** K2 alone: everything still works, the serials stay reserved by the same digests. */
  async function underK2(): Promise<void> {
    const intake = await start(K2);
    expect((await intake.intake.deps.registry.config('erp-b')).api_key).toBe('key-for-tests');
    expect(serialAt(await manifestOf(intake, ids.later), 0, 1)).toBe(serialAt(later, 0, 1));
    const clash = transferBody();
    (clash.items[1] as { serials: string[] }).serials[0] = serialAt(later, 0, 0);
    const refused = await submit(intake, clash);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'serials_in_use', held_by: [ids.later] });
    expect(await status(intake)).toMatchObject({
      previous_keys: [],
      instances: { current: 2 },
      data_keys: { current: 1 },
      transfers: { active: { current: 1 }, final: { total: 2, unknown: 2 } },
      previous_key_needed: false,
      final_transfers_needing_previous_key: 0,
    });
    expect((await submit(intake)).status).toBe(202);
  }

  it('keeps every instance, transfer and reservation working through the four steps', async () => {
    await underK1();
    await rotated();
    await oldKeyAloneRefused();
    await underK2();
  });
});

describe('the check and the re-seal, each in a deployment of its own', () => {
  it('go on past records they cannot read: counted (ids in the log), and the previous key stays needed', async () => {
    const own = testNamespace().subjectPrefix;
    const before = await start(K1, own);
    await before.addInstance('erp-a');
    await before.addInstance('erp-b');
    await before.addInstance('erp-c');
    const { nc, names } = before.intake;
    const registry = await InstanceRegistry.open(nc, K1, { bucket: names.buckets.instances });
    await registry.kv.put('erp-b', '{"not": "an instance record"}');

    const intake = await start(ROTATED, own);
    const check = await status(intake);
    expect(check).toMatchObject({
      instances: { total: 3, current: 0, previous: 2, unknown: 0, unreadable: 1 },
      previous_key_needed: true,
    });

    const reseal = await intake.call('POST', '/v1/admin/secret-key/reseal');
    expect(reseal.status).toBe(200);
    expect(reseal.body).toEqual({
      instances: { resealed: 2, unchanged: 0, unreadable: 1 },
      data_keys: { resealed: 1, unchanged: 0, unreadable: 0 },
    });
    // the ones after it were re-sealed: K2 alone opens them
    const after = await status(intake);
    expect(after).toMatchObject({
      instances: { current: 2, previous: 0, unreadable: 1 },
      data_keys: { current: 1, previous: 0 },
      previous_key_needed: true,
    });
    expect(after.findings.join('\n')).toContain('1 record(s) cannot be read (1 instance(s)');
  });

  it('counts a transfer record it cannot read as unreadable: the status answers 200, never 500', async () => {
    const intake = await start(K1, testNamespace().subjectPrefix);
    await intake.addInstance('erp-a');
    await intake.addInstance('erp-b');
    expect((await submit(intake)).status).toBe(202);
    const { nc, names } = intake.intake;
    const transfers = await TransferStore.open(nc, names);
    await transfers.kv.put('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B', 'not a transfer record');
    const check = await intake.call('GET', '/v1/admin/secret-key');
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({
      transfers: { active: { total: 2, current: 1, unreadable: 1 } },
      previous_key_needed: true,
    });
  });

  it('checks asked at the same moment share one scan of the transfers', async () => {
    const intake = await start(K1, testNamespace().subjectPrefix);
    await intake.addInstance('erp-a');
    await intake.addInstance('erp-b');
    expect((await submit(intake)).status).toBe(202);
    expect((await submit(intake)).status).toBe(202);
    const { nc, names } = intake.intake;
    const transfers = await TransferStore.open(nc, names);
    let scans = 0;
    const rotation = new SecretKeyRotation({
      box: K1,
      registry: await InstanceRegistry.open(nc, K1, { bucket: names.buckets.instances }),
      dataKeys: await DataKeyStore.open(nc, names, K1),
      transfers,
      transferIds: () => {
        scans++;
        return transfers.ids();
      },
      manifests: await ManifestStore.open(nc, names, K1),
    });
    const [first, second, third] = await Promise.all([
      rotation.status(),
      rotation.status(),
      rotation.status(),
    ]);
    expect(scans).toBe(1);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(first.transfers.active).toEqual({ total: 2, current: 2, previous: 0, unknown: 0, unreadable: 0 });
    // a check asked after that one ended scans again
    await rotation.status();
    expect(scans).toBe(2);
  });

  it('a lost serial digest key entry is not made again once this version ran: intake says to restore it', async () => {
    const own = testNamespace().subjectPrefix;
    const first = await start(K1, own);
    await first.addInstance('erp-a');
    await first.addInstance('erp-b');
    const submitted = transferBody();
    expect((await submit(first, submitted)).status).toBe(202);
    const keys = await DataKeyStore.open(first.intake.nc, first.intake.names, K1);
    // the operator's backup of the entry (`nats kv get --raw`); then the bucket is lost
    const backup = (await keys.kv.get(SERIAL_DIGEST_KEY_ENTRY))?.string() ?? '';
    await keys.kv.destroy();
    await t?.close();
    t = undefined;

    // a rotation finished meanwhile (K2 alone): a key made again from K2 would differ
    const error = await startFails(K2, own);
    expect(error).toMatchObject({ name: 'StoreError', kind: 'missing' });
    expect((error as Error).message).toContain('2 instance record(s) sealed in the v2 format');
    expect((error as Error).message).toContain('restore the entry from its backup');

    // restored (`nats kv put`), it opens (here with K1 as a previous key): the serial is still reserved
    const nc = await connectNats({ url: natsUrl(), name: 'rotation-restore-test' });
    try {
      const lost = await DataKeyStore.open(nc, busNames(own), K1);
      expect(await lost.kv.get(SERIAL_DIGEST_KEY_ENTRY)).toBeNull();
      await lost.kv.put(SERIAL_DIGEST_KEY_ENTRY, backup);
    } finally {
      await nc.close();
    }
    const again = await start(ROTATED, own);
    const clash = transferBody();
    (clash.items[0] as { serials: string[] }).serials[0] = serialAt(submitted, 0, 0);
    expect((await submit(again, clash)).status).toBe(409);
  });

  it('a deployment older than key rings (everything v1, no key entry) gets the derived key: its reservations still match', async () => {
    const own = testNamespace().subjectPrefix;
    const first = await start(K1, own);
    await first.addInstance('erp-a');
    await first.addInstance('erp-b');
    const submitted = transferBody();
    const answer = await submit(first, submitted);
    expect(answer.status).toBe(202);
    const id = String(answer.body.transfer_id);
    // what an older version stored: the instance and the manifest in v1, no serial digest key
    const { nc, names } = first.intake;
    const registryKv = (await InstanceRegistry.open(nc, K1, { bucket: names.buckets.instances })).kv;
    for (const instanceId of ['erp-a', 'erp-b']) {
      const stored = (await registryKv.get(instanceId))?.string() ?? '{}';
      const instance = JSON.parse(stored) as Record<string, string>;
      await registryKv.put(
        instanceId,
        JSON.stringify({
          ...instance,
          api_key_sealed: asV1(instance.api_key_sealed ?? ''),
          api_secret_sealed: asV1(instance.api_secret_sealed ?? ''),
        }),
      );
    }
    const objects = (await ManifestStore.open(nc, names, K1)).store;
    const manifest = new TextDecoder().decode((await objects.getBlob(id)) ?? new Uint8Array());
    await objects.putBlob({ name: id }, new TextEncoder().encode(asV1(manifest)));
    await (await DataKeyStore.open(nc, names, K1)).kv.destroy();

    const upgraded = await start(K1, own);
    const clash = transferBody();
    (clash.items[0] as { serials: string[] }).serials[0] = serialAt(submitted, 0, 1);
    const refused = await submit(upgraded, clash);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ held_by: [id] });
    expect(serialAt(await manifestOf(upgraded, id), 0, 1)).toBe(serialAt(submitted, 0, 1));
  });
});
