/**
 * A rolling rotation of INTERCO_SECRET_KEY on the real nats-server (docs/secret-key-rotation.md):
 * intake runs with K1, then with K2 + previous K1, re-seals, then with K2 alone. Nothing sealed
 * before is lost, and a serial reserved under K1 is still refused under K2 (the serial digest
 * key does not change with the secret key).
 */
import type { TransferRecord, TransferStore } from '@interco/bus';
import type { IntercoEvent } from '@interco/contracts';
import { SECRET_KEY_PREVIOUS_ENV, SecretBox } from '@interco/erpnext';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SecretKeyStatus } from './secret-key/secret-key-rotation.js';
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

/** intake with this key ring (the same namespace every time: the same deployment restarted). */
async function start(box: SecretBox): Promise<TestIntake> {
  t = await startTestIntake({ box, namespace });
  return t;
}

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
  // `active` and `done` are requested under K1: `active` stays active through the rotation, `done`
  // is completed before it (and cancelled after it); `later` is requested after it.
  const active = transferBody();
  const done = transferBody();
  const later = transferBody();
  const ids = { active: '', done: '', later: '' };

  it('K1: instances registered, transfers requested (one completed)', async () => {
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
  });

  it('K2 + previous K1: what K1 sealed opens, a serial reserved under K1 is still refused, new values are sealed with K2', async () => {
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
      instances: { total: 2, current: 0, previous: 2, unknown: 0 },
      data_keys: { total: 1, current: 0, previous: 1, unknown: 0 },
      transfers: {
        active: { total: 2, current: 1, previous: 1, unknown: 0 },
        final: { total: 1, current: 0, previous: 1, unknown: 0 },
      },
      previous_key_needed: true,
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
      instances: { resealed: 2, unchanged: 0 },
      data_keys: { resealed: 1, unchanged: 0 },
    });
    const again = await intake.call('POST', '/v1/admin/secret-key/reseal');
    expect(again.body).toEqual({
      instances: { resealed: 0, unchanged: 2 },
      data_keys: { resealed: 0, unchanged: 1 },
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

    // once the K1 transfers are final, the previous key is no longer needed; the check says what
    // dropping it costs
    await publish(intake, completion(ids.active));
    await recordBecomes(intake, ids.active, 'completed');
    const after = await status(intake);
    expect(after).toMatchObject({
      transfers: {
        active: { total: 1, current: 1, previous: 0 },
        final: { total: 2, current: 0, previous: 2 },
      },
      previous_key_needed: false,
    });
    expect(after.findings).toHaveLength(1);
    expect(after.findings[0]).toContain('2 final transfer(s)');
    expect(after.findings[0]).toContain('can no longer be cancelled');
  });

  it('K1 alone no longer starts once the data key is re-sealed: it fails at once, saying what to do', async () => {
    const error = await startIntake({ natsUrl: natsUrl(), namespace, box: K1 }).then(
      async (running) => {
        await running.close();
        return undefined;
      },
      (thrown: unknown) => thrown as Error,
    );
    expect(error).toMatchObject({ name: 'StoreError', kind: 'tampered' });
    expect((error as Error).message).toContain(`fingerprint ${K2.fingerprint}`);
    expect((error as Error).message).not.toContain(k1);
    expect((error as Error).message).not.toContain(k2);
  });

  it('K2 alone: everything still works, the serials stay reserved by the same digests', async () => {
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
    });
    expect((await submit(intake)).status).toBe(202);
  });
});
