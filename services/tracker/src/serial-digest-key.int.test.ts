/**
 * The tracker never creates the serial digest key (intake does, at its first start): without it,
 * it waits (not listening, so not ready), then fails its start saying what to do; it starts as
 * soon as intake has created it.
 */
import { DataKeyStore, SERIAL_DIGEST_KEY_ENTRY } from '@interco/bus';
import { SecretBox } from '@interco/erpnext';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTracker } from './start-tracker.js';
import { openTrackerDeployment, type TrackerDeployment } from './test-support/tracker-deployment.js';

const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
let deployment: TrackerDeployment;

const start = (wait: { timeoutMs: number; intervalMs: number }) =>
  deployment.start({ box, projector: false, serialDigestKeyWait: wait });

beforeAll(async () => {
  deployment = await openTrackerDeployment('tracker-serial-key-test');
});

afterAll(async () => {
  await deployment?.stop();
  await (await DataKeyStore.open(deployment.nc, deployment.names, box)).kv.destroy().catch(() => undefined);
  await deployment?.close();
});

describe('the tracker and the serial digest key', () => {
  it('does not create it: it waits for intake, then fails its start saying so', async () => {
    const error = await start({ timeoutMs: 500, intervalMs: 50 }).then(
      async () => {
        await deployment.stop();
        return new Error('started');
      },
      (thrown: unknown) => thrown as Error,
    );
    expect(error).toMatchObject({ name: 'StoreError', kind: 'missing' });
    expect(error.message).toContain('start intake on the same NATS and namespace first');
    expect(
      await (await DataKeyStore.open(deployment.nc, deployment.names, box)).kv.get(SERIAL_DIGEST_KEY_ENTRY),
    ).toBeNull();
  });

  it('starts as soon as intake has created it', async () => {
    const starting = start({ timeoutMs: 20_000, intervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await (await DataKeyStore.open(deployment.nc, deployment.names, box)).createSerialDigestKey();
    const tracker: RunningTracker = await starting;
    expect(tracker.url).toMatch(/^http:/);
  });
});
