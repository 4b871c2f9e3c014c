import type { TransferRecord } from '@interco/bus';
import { foldTransfer, type IntercoEvent, newEvent } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { cancelFailed, compensation, completion, done, failed } from '../test-support/step-events.js';
import { decideCancel, decideRetry } from './decide-retry-cancel.js';

const ID = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';

function requested(): IntercoEvent {
  return newEvent(
    'transfer.requested',
    { transferid: ID, generation: 1, actor: 'writer', source: 'interco/intake' },
    {
      manifest: { ref: `m/${ID}`, digest: `sha256:${'0'.repeat(64)}` },
      instances: { a: 'erp-a', b: 'erp-b' },
      companies: { a: 'Compania A', b_customer_in_a: 'Compania B', a_supplier_in_b: 'Compania A' },
      supplier: 'Proveedor',
      warehouses: { a: 'Stores - CA', b: 'Stores - CB' },
      counts: { items: 1, serials: 2 },
    },
  );
}

function cancelRequested(generation: number): IntercoEvent {
  return newEvent(
    'transfer.cancel_requested',
    {
      transferid: ID,
      generation,
      actor: 'writer',
      source: 'interco/intake',
    },
    {},
  );
}

function record(status: TransferRecord['status'], generation = 1): TransferRecord {
  return { transfer_id: ID, status, generation } as TransferRecord;
}

const state = (events: IntercoEvent[]) => foldTransfer(events);

describe('decideRetry', () => {
  it('re-drives the failed step of a failed transfer', () => {
    const history = [requested(), done('po_a', ID), failed('pr_a', ID)];
    expect(decideRetry(state(history), record('active'))).toEqual({ ok: true, kind: 'retry', step: 'pr_a' });
  });

  it('runs the compensation again when the cancel failed', () => {
    const history = [requested(), cancelRequested(2), cancelFailed('pr_b', ID, 2)];
    expect(decideRetry(state(history), record('cancelling', 2))).toEqual({ ok: true, kind: 'cancel_again' });
  });

  it.each([
    ['pending', [requested()], 'is pending'],
    ['in progress', [requested(), done('po_a', ID)], 'is in progress'],
    ['completed', [requested(), ...completion(ID)], 'is completed'],
    ['cancelling', [requested(), cancelRequested(2)], 'is cancelling'],
  ])('refuses a transfer that is %s', (_name, history, words) => {
    const decision = decideRetry(state(history), record('active'));
    expect(decision).toEqual({
      ok: false,
      reason: `transfer ${ID} ${words}: only a failed transfer, or one whose cancel failed, can be retried`,
    });
  });

  it('refuses a failed transfer whose record is being cancelled, and one with no events', () => {
    const history = [requested(), failed('po_a', ID)];
    expect(decideRetry(state(history), record('cancelling', 2))).toMatchObject({ ok: false });
    expect(decideRetry(undefined, record('active'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no events'),
    });
  });
});

describe('decideCancel', () => {
  it('cancels an active transfer, and a completed one after taking its serials back', () => {
    expect(decideCancel(state([requested()]), record('active'), [])).toEqual({
      ok: true,
      kind: 'cancel',
      reserveAgain: false,
    });
    const history = [requested(), ...completion(ID)];
    expect(decideCancel(state(history), record('completed'), history)).toEqual({
      ok: true,
      kind: 'cancel',
      reserveAgain: true,
    });
  });

  it('publishes again a cancel the record holds but the stream lacks', () => {
    const history = [requested()];
    expect(decideCancel(state(history), record('cancelling', 2), history)).toEqual({
      ok: true,
      kind: 'republish',
    });
  });

  it('refuses a transfer being cancelled or cancelled', () => {
    const cancelling = [requested(), cancelRequested(2)];
    expect(decideCancel(state(cancelling), record('cancelling', 2), cancelling)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is being cancelled already'),
    });
    const cancelled = [requested(), cancelRequested(2), ...compensation(ID, 2)];
    expect(decideCancel(state(cancelled), record('cancelled', 2), cancelled)).toEqual({
      ok: false,
      reason: `transfer ${ID} is cancelled already`,
    });
  });

  it('cancels again when the cancel failed', () => {
    const history = [requested(), cancelRequested(2), cancelFailed('pr_b', ID, 2)];
    expect(decideCancel(state(history), record('cancelling', 2), history)).toEqual({
      ok: true,
      kind: 'cancel',
      reserveAgain: false,
    });
  });
});
