import { durableConsumerConfig, StoreError } from '@interco/bus';
import { createTransferRequestValidator } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { fakeDeps, WRITER } from '../test-support/fake-deps.js';
import { transferBody } from '../test-support/requests.js';
import { done, transferCancelled } from '../test-support/step-events.js';
import { applyLifecycleEvent, lifecycleConsumerOptions, lifecycleRetryDelay } from './lifecycle-consumer.js';
import { submitTransfer } from './submit-transfer.js';

async function submitted() {
  const deps = fakeDeps();
  const result = createTransferRequestValidator()(transferBody());
  if (!result.ok) throw new Error('invalid test request');
  const { transfer_id } = await submitTransfer(deps, result.value, WRITER, undefined);
  return { deps, id: transfer_id };
}

describe('applyLifecycleEvent', () => {
  it('marks an active transfer completed on pr_b.done and frees its serials; a redelivery frees them again', async () => {
    const { deps, id } = await submitted();
    expect(deps.reserved.size).toBe(4);
    expect(await applyLifecycleEvent(deps, done('pr_b', id))).toBe('changed');
    expect(deps.records.get(id)?.status).toBe('completed');
    expect(deps.reserved.size).toBe(0);
    expect(await applyLifecycleEvent(deps, done('pr_b', id))).toBe('released');
  });

  it('marks a cancelling transfer cancelled on transfer.cancelled, at its generation only', async () => {
    const { deps, id } = await submitted();
    const record = deps.records.get(id);
    if (record === undefined) throw new Error('no record');
    deps.records.set(id, { ...record, status: 'cancelling', generation: 3 });
    expect(await applyLifecycleEvent(deps, transferCancelled(id, 2))).toBe('stale');
    expect(deps.reserved.size).toBe(4);
    expect(await applyLifecycleEvent(deps, transferCancelled(id, 3))).toBe('changed');
    expect(deps.records.get(id)).toMatchObject({ status: 'cancelled', generation: 3 });
    expect(deps.reserved.size).toBe(0);
  });

  it('leaves a transfer alone when the event does not fit (a pr_b.done of an older generation, a cancelled while active)', async () => {
    const { deps, id } = await submitted();
    const record = deps.records.get(id);
    if (record === undefined) throw new Error('no record');
    deps.records.set(id, { ...record, status: 'cancelling', generation: 2 });
    expect(await applyLifecycleEvent(deps, done('pr_b', id, 1))).toBe('stale');
    deps.records.set(id, { ...record, status: 'active', generation: 1 });
    expect(await applyLifecycleEvent(deps, transferCancelled(id, 1))).toBe('stale');
    expect(deps.records.get(id)?.status).toBe('active');
    expect(deps.reserved.size).toBe(4);
  });

  it('answers missing without a record, ignored for another event type', async () => {
    const { deps } = await submitted();
    expect(await applyLifecycleEvent(deps, done('pr_b', 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B'))).toBe('missing');
    expect(await applyLifecycleEvent(deps, done('po_a', 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B'))).toBe('ignored');
  });

  it('completes the record even when the manifest cannot be read (the reservations are taken over later)', async () => {
    const { deps, id } = await submitted();
    const broken = {
      ...deps,
      manifests: {
        ...deps.manifests,
        get: async () => {
          throw new StoreError('tampered', 'does not open');
        },
      },
    };
    expect(await applyLifecycleEvent(broken, done('pr_b', id))).toBe('changed');
    expect(deps.records.get(id)?.status).toBe('completed');
  });
});

describe('lifecycleConsumerOptions', () => {
  it('filters pr_b.done and transfer.cancelled of the namespace, explicit ack, unlimited deliveries', () => {
    expect(durableConsumerConfig(lifecycleConsumerOptions('t_x'))).toMatchObject({
      durable_name: 'intake_lifecycle',
      ack_policy: 'explicit',
      max_deliver: -1,
      filter_subjects: ['t_x.t.*.pr_b.done', 't_x.t.*.transfer.cancelled'],
    });
  });
});

describe('lifecycleRetryDelay', () => {
  it('doubles from 2 s up to 60 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((delivery) => lifecycleRetryDelay(delivery))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    expect(lifecycleRetryDelay(3, { firstDelayMs: 10, maxDelayMs: 30 })).toBe(30);
  });
});
