import { type IntercoEvent, newEvent, newTransferId, STEPS, type Step } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { sampleRequestedEvent } from '../test-support/store-fixtures.js';
import { decide, needsHistory, type RecordView } from './decide.js';

const transferId = newTransferId();
const context = (generation: number, source = 'interco/intake') => ({
  transferid: transferId,
  generation,
  actor: 'tok_test',
  source,
});
const doc = { doctype: 'Purchase Order' as const, name: 'PUR-ORD-2026-00001', chunk: 0, serial_count: 3 };

function requested(generation = 1): IntercoEvent {
  return { ...sampleRequestedEvent(transferId), generation };
}
function done(step: Step, generation = 1): IntercoEvent {
  return newEvent(`${step}.done`, context(generation, 'interco/po-a'), {
    instance: 'erp-a',
    documents: [doc],
    attempt: 1,
    duration_ms: 10,
  });
}
function cancelled(step: Step, generation: number): IntercoEvent {
  return newEvent(`${step}.cancelled`, context(generation, 'interco/pr-b'), {
    instance: 'erp-b',
    documents: [],
  });
}
function retry(step: Step, generation: number): IntercoEvent {
  return newEvent('transfer.retry_requested', context(generation), { step });
}
function cancelRequested(generation: number): IntercoEvent {
  return newEvent('transfer.cancel_requested', context(generation), {});
}
const active = (generation = 1): RecordView => ({ status: 'active', generation });
const cancelling = (generation: number): RecordView => ({ status: 'cancelling', generation });

describe('decide: forward', () => {
  it('po_a makes its documents on transfer.requested, a first delivery on the first try', () => {
    expect(decide({ step: 'po_a', event: requested(), record: active(), deliveryCount: 1 })).toEqual({
      action: 'forward',
      role: 'forward',
      firstDelivery: true,
    });
  });

  it('a redelivery is not a first delivery (an earlier attempt may have written)', () => {
    expect(decide({ step: 'po_a', event: requested(), record: active(), deliveryCount: 2 })).toEqual({
      action: 'forward',
      role: 'forward',
      firstDelivery: false,
    });
  });

  it('each later step follows the previous step’s done', () => {
    expect(decide({ step: 'pr_a', event: done('po_a'), record: active(), deliveryCount: 1 })).toMatchObject({
      action: 'forward',
      firstDelivery: true,
    });
    expect(decide({ step: 'dn_a', event: done('pr_a'), record: active(), deliveryCount: 1 })).toMatchObject({
      action: 'forward',
    });
    expect(decide({ step: 'pr_b', event: done('dn_a'), record: active(), deliveryCount: 1 })).toMatchObject({
      action: 'forward',
    });
  });

  it('a done of a later generation (after a retry) is never a first delivery', () => {
    expect(decide({ step: 'dn_a', event: done('pr_a', 2), record: active(2), deliveryCount: 1 })).toEqual({
      action: 'forward',
      role: 'forward',
      firstDelivery: false,
    });
  });

  it('a retry naming the step re-drives it, never as a first delivery', () => {
    expect(decide({ step: 'pr_a', event: retry('pr_a', 2), record: active(2), deliveryCount: 1 })).toEqual({
      action: 'forward',
      role: 'retry',
      firstDelivery: false,
    });
  });

  it('a retry naming another step is skipped by the others', () => {
    for (const step of STEPS.filter((s) => s !== 'dn_a')) {
      expect(decide({ step, event: retry('dn_a', 2), record: active(2), deliveryCount: 1 })).toEqual({
        action: 'skip',
        reason: 'the retry is for dn_a',
      });
    }
  });

  it('skips forward work on a transfer that is no longer active', () => {
    for (const status of ['cancelling', 'completed', 'cancelled', 'reclaiming', 'some-future-status']) {
      expect(
        decide({ step: 'pr_a', event: done('po_a'), record: { status, generation: 1 }, deliveryCount: 1 }),
      ).toEqual({ action: 'skip', reason: `forward work needs an active transfer; it is ${status}` });
    }
  });

  it('skips an event of an older generation (stale)', () => {
    expect(decide({ step: 'pr_a', event: done('po_a', 1), record: active(2), deliveryCount: 1 })).toEqual({
      action: 'skip',
      reason: 'stale: generation 1, the transfer is at 2',
    });
    expect(
      decide({ step: 'po_a', event: requested(1), record: cancelling(2), deliveryCount: 3 }),
    ).toMatchObject({
      action: 'skip',
    });
  });

  it('defers an event of a newer generation than the record (the record has not caught up)', () => {
    expect(decide({ step: 'pr_a', event: retry('pr_a', 3), record: active(2), deliveryCount: 1 })).toEqual({
      action: 'defer',
      reason: 'the record is at generation 2, the event at 3',
    });
  });
});

describe('decide: a redelivery after the step failed', () => {
  function failed(step: Step, generation: number): IntercoEvent {
    return newEvent(`${step}.failed`, context(generation, 'interco/dn-a'), {
      instance: 'erp-a',
      attempt: 1,
      retryable: true,
      error: { kind: 'permanent', messages: ['x'] },
    });
  }

  it('skips forward work when the step published failed in this generation (its ack was lost)', () => {
    const history = [requested(), done('po_a'), done('pr_a'), failed('dn_a', 1)];
    expect(
      decide({ step: 'dn_a', event: done('pr_a'), record: active(), deliveryCount: 2, history }),
    ).toEqual({
      action: 'skip',
      reason: 'dn_a.failed was published in generation 1 already: only a retry re-drives the step',
    });
  });

  it('skips a compensation when the step published cancel_failed in this generation', () => {
    const cancelFailed = newEvent('dn_a.cancel_failed', context(2, 'interco/dn-a'), {
      instance: 'erp-a',
      attempt: 1,
      error: { kind: 'permanent', messages: ['x'] },
    });
    expect(
      decide({
        step: 'dn_a',
        event: cancelled('pr_b', 2),
        record: cancelling(2),
        deliveryCount: 3,
        history: [requested(), cancelRequested(2), cancelled('pr_b', 2), cancelFailed],
      }),
    ).toEqual({
      action: 'skip',
      reason: 'dn_a.cancel_failed was published in generation 2 already: only a retry re-drives the step',
    });
    expect(
      decide({
        step: 'dn_a',
        event: cancelled('pr_b', 3),
        record: cancelling(3),
        deliveryCount: 3,
        history: [cancelFailed],
      }),
    ).toEqual({ action: 'compensate' });
  });

  it('goes on when the failure is of another generation or another step', () => {
    const history = [requested(), failed('dn_a', 1), failed('pr_a', 2)];
    expect(
      decide({ step: 'dn_a', event: retry('dn_a', 2), record: active(2), deliveryCount: 2, history }),
    ).toMatchObject({ action: 'forward', role: 'retry' });
  });

  it('asks for the history only for a redelivered forward input', () => {
    const forward = decide({ step: 'dn_a', event: done('pr_a'), record: active(), deliveryCount: 1 });
    expect(needsHistory(forward, 1)).toBe(false);
    expect(needsHistory(forward, 2)).toBe(true);
    expect(needsHistory({ action: 'compensate' }, 1)).toBe(false);
    expect(needsHistory({ action: 'compensate' }, 5)).toBe(true);
    expect(needsHistory({ action: 'skip', reason: 'x' }, 5)).toBe(false);
  });
});

describe('decide: compensation', () => {
  it('pr_b starts the compensation on transfer.cancel_requested', () => {
    expect(
      decide({ step: 'pr_b', event: cancelRequested(2), record: cancelling(2), deliveryCount: 1 }),
    ).toEqual({ action: 'compensate' });
  });

  it('each earlier step follows the next step’s cancelled', () => {
    expect(
      decide({ step: 'dn_a', event: cancelled('pr_b', 2), record: cancelling(2), deliveryCount: 1 }),
    ).toEqual({
      action: 'compensate',
    });
    expect(
      decide({ step: 'pr_a', event: cancelled('dn_a', 2), record: cancelling(2), deliveryCount: 4 }),
    ).toEqual({
      action: 'compensate',
    });
    expect(
      decide({ step: 'po_a', event: cancelled('pr_a', 2), record: cancelling(2), deliveryCount: 1 }),
    ).toEqual({
      action: 'compensate',
    });
  });

  it('skips compensation unless the transfer is cancelling', () => {
    for (const status of ['active', 'completed', 'cancelled', 'reclaiming', 'some-future-status']) {
      expect(
        decide({
          step: 'pr_b',
          event: cancelRequested(2),
          record: { status, generation: 2 },
          deliveryCount: 1,
        }),
      ).toEqual({ action: 'skip', reason: `compensation needs a cancelling transfer; it is ${status}` });
    }
  });

  it('skips a compensation input of an older generation (a cancel retried since)', () => {
    expect(
      decide({ step: 'dn_a', event: cancelled('pr_b', 2), record: cancelling(3), deliveryCount: 1 }),
    ).toEqual({
      action: 'skip',
      reason: 'stale: generation 2, the transfer is at 3',
    });
  });
});

describe('decide: rejected', () => {
  it('terminates an event the step does not consume', () => {
    expect(decide({ step: 'pr_a', event: done('pr_a'), record: active(), deliveryCount: 1 })).toEqual({
      action: 'reject',
      reason: 'pr_a.done is not an input of pr_a',
    });
    expect(
      decide({ step: 'po_a', event: cancelRequested(2), record: cancelling(2), deliveryCount: 1 }),
    ).toMatchObject({
      action: 'reject',
    });
  });

  it('terminates an input whose transfer has no record', () => {
    expect(decide({ step: 'po_a', event: requested(), record: undefined, deliveryCount: 1 })).toEqual({
      action: 'reject',
      reason: 'the transfer has no record',
    });
  });

  it('skips a retry for another step even without a record', () => {
    expect(
      decide({ step: 'po_a', event: retry('pr_b', 2), record: undefined, deliveryCount: 1 }),
    ).toMatchObject({
      action: 'skip',
    });
  });
});
