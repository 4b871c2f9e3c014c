import type { TransferRecord } from '@interco/bus';
import { foldTransfer, type IntercoEvent, newEvent } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { cancelFailed, compensation, completion, done, failed } from '../test-support/step-events.js';
import { decideCancel, decideRetry, missingRequest, RECLAIM_STALE_MS } from './decide-retry-cancel.js';

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

function retryRequested(generation: number, step: 'po_a' | 'pr_a' | 'dn_a' | 'pr_b'): IntercoEvent {
  return newEvent(
    'transfer.retry_requested',
    { transferid: ID, generation, actor: 'writer', source: 'interco/intake' },
    { step },
  );
}

function record(
  status: TransferRecord['status'],
  generation = 1,
  updated_at = new Date().toISOString(),
): TransferRecord {
  return { transfer_id: ID, status, generation, updated_at } as TransferRecord;
}

const state = (events: IntercoEvent[]) => foldTransfer(events);

describe('decideRetry', () => {
  it('re-drives the failed step of a failed transfer', () => {
    const history = [requested(), done('po_a', ID), failed('pr_a', ID)];
    expect(decideRetry(state(history), record('active'), history)).toEqual({
      ok: true,
      kind: 'retry',
      step: 'pr_a',
    });
  });

  it('runs the compensation again when the cancel failed', () => {
    const history = [requested(), cancelRequested(2), cancelFailed('pr_b', ID, 2)];
    expect(decideRetry(state(history), record('cancelling', 2), history)).toEqual({
      ok: true,
      kind: 'cancel_again',
    });
  });

  it.each([
    ['pending', [requested()], 'is pending'],
    ['in progress', [requested(), done('po_a', ID)], 'is in progress'],
    ['completed', [requested(), ...completion(ID)], 'is completed'],
    ['cancelling', [requested(), cancelRequested(2)], 'is cancelling'],
  ])('refuses a transfer that is %s', (_name, history, words) => {
    const decision = decideRetry(state(history), record('active'), history);
    expect(decision).toEqual({
      ok: false,
      reason: `transfer ${ID} ${words}: only a failed transfer, or one whose cancel failed, can be retried`,
    });
  });

  it('refuses a failed transfer whose record is being cancelled, and one with no events', () => {
    const history = [requested(), failed('po_a', ID), cancelRequested(2)];
    expect(decideRetry(state(history), record('cancelling', 2), history)).toMatchObject({ ok: false });
    expect(decideRetry(undefined, record('active', 2), [])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no events'),
    });
  });

  it('says why a failed transfer is not retried in words for its record status', () => {
    const history = [requested(), done('po_a', ID), failed('pr_a', ID)];
    const reasons = (['cancelling', 'reclaiming', 'completed', 'cancelled'] as const).map((status) => {
      const decision = decideRetry(state(history), record(status, 1), history);
      return decision.ok ? 'allowed' : decision.reason;
    });
    expect(reasons).toEqual([
      `transfer ${ID} is being cancelled: a transfer being cancelled is not retried`,
      `transfer ${ID} is being cancelled (its serials are being taken back): a transfer being cancelled is not retried`,
      `transfer ${ID} is completed: there is nothing to retry (cancel it to undo it)`,
      `transfer ${ID} is cancelled: a cancelled transfer is not retried`,
    ]);
  });

  it("publishes the event of a request the record holds and the stream lacks, at the record's generation", () => {
    // the transfer itself (accepted, its transfer.requested not confirmed)
    expect(decideRetry(undefined, record('active', 1), [])).toEqual({
      ok: true,
      kind: 'republish',
      missing: { type: 'transfer.requested' },
    });
    // an earlier retry: the record is active at generation 2, the stream has no retry of it
    const failedHistory = [requested(), done('po_a', ID), failed('pr_a', ID)];
    expect(decideRetry(state(failedHistory), record('active', 2), failedHistory)).toEqual({
      ok: true,
      kind: 'republish',
      missing: { type: 'transfer.retry_requested', step: 'pr_a' },
    });
    // an earlier retry of a failed cancel
    const cancelHistory = [requested(), cancelRequested(2), cancelFailed('pr_b', ID, 2)];
    expect(decideRetry(state(cancelHistory), record('cancelling', 3), cancelHistory)).toEqual({
      ok: true,
      kind: 'republish',
      missing: { type: 'transfer.cancel_requested' },
    });
  });
});

describe('missingRequest', () => {
  it("is undefined once the stream has the request of the record's generation", () => {
    const history = [requested(), failed('pr_a', ID), retryRequested(2, 'pr_a')];
    expect(missingRequest(state(history), record('active', 2), history)).toBeUndefined();
    expect(missingRequest(state([requested()]), record('active', 1), [requested()])).toBeUndefined();
    const cancelling = [requested(), cancelRequested(2)];
    expect(missingRequest(state(cancelling), record('cancelling', 2), cancelling)).toBeUndefined();
    expect(missingRequest(state(cancelling), record('completed', 1), [requested()])).toBeUndefined();
  });
});

describe('decideCancel', () => {
  it('cancels an active transfer, and a completed one after taking its serials back', () => {
    expect(decideCancel(state([requested()]), record('active'), [requested()])).toEqual({
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

  it('refuses a transfer whose serials a cancel is taking back just now, and takes over one whose cancel died', () => {
    const history = [requested(), ...completion(ID)];
    const busy = decideCancel(state(history), record('reclaiming', 1), history);
    expect(busy).toMatchObject({
      ok: false,
      reason: expect.stringContaining('its serials are being taken back'),
      retryAfterSeconds: 5,
    });
    const stale = new Date(Date.now() - RECLAIM_STALE_MS - 1000).toISOString();
    expect(decideCancel(state(history), record('reclaiming', 1, stale), history)).toEqual({
      ok: true,
      kind: 'cancel',
      reserveAgain: true,
    });
  });
});
