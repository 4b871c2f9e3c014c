import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { registerFormats } from '../common/formats.js';
import { STEPS, type Step } from '../common/steps.js';
import type { IntercoEvent } from '../events/catalogue.js';
import { evolve, foldTransfer, initialTransferState } from './evolve.js';
import { documentsOf, errorOf, History, historyFrom, TRANSFER_ID } from './fixtures/history.js';
import { type TransferState, TransferState as TransferStateSchema } from './transfer-state.schema.js';

registerFormats();
const stateChecker = TypeCompiler.Compile(TransferStateSchema);

/** Folds every event but the last, then applies the last: what evolve makes of it. */
function last(h: History) {
  const before = foldTransfer(h.events.slice(0, -1));
  const event = h.events.at(-1);
  if (event === undefined) throw new Error('no events');
  return { before, ...evolve(before, event) };
}

function fold(h: History): TransferState {
  const state = foldTransfer(h.events);
  if (state === undefined) throw new Error('no state');
  return state;
}

function expectUnchanged(result: ReturnType<typeof last>, change: 'stale' | 'invalid', reason: RegExp) {
  expect(result.change).toBe(change);
  expect(result.reason).toMatch(reason);
  expect(result.state).toBe(result.before);
}

describe('transfer.requested', () => {
  it('creates the state: pending at po_a, generation 1, every step pending, the request and actor kept', () => {
    const h = new History();
    const event = h.requested();
    const result = evolve(undefined, event);
    expect(result.change).toBe('applied');
    expect(result.state).toEqual(initialTransferState(event));
    expect(result.state).toEqual({
      transfer_id: TRANSFER_ID,
      status: 'pending',
      generation: 1,
      current_step: 'po_a',
      steps: {
        po_a: {
          status: 'pending',
          attempts: 0,
          documents: [],
          cancelled_documents: [],
          started_at: event.time,
        },
        pr_a: { status: 'pending', attempts: 0, documents: [], cancelled_documents: [] },
        dn_a: { status: 'pending', attempts: 0, documents: [], cancelled_documents: [] },
        pr_b: { status: 'pending', attempts: 0, documents: [], cancelled_documents: [] },
      },
      requested: event.data,
      actor: 'tok_ops',
      created_at: event.time,
      updated_at: event.time,
      last_event_id: event.id,
      request_event_ids: [event.id],
      applied: 1,
    });
    expect(stateChecker.Check(result.state)).toBe(true);
  });

  it('a copy of it (the same id) is stale, also after other events', () => {
    const h = new History();
    const requested = h.requested();
    h.done('po_a');
    h.events.push(requested);
    expectUnchanged(last(h), 'stale', /already applied/);
  });

  it('a second one (another id) is invalid and changes nothing', () => {
    const h = new History();
    h.requested();
    h.requested();
    expectUnchanged(last(h), 'invalid', /already requested/);
  });
});

describe('before transfer.requested', () => {
  it.each([
    ['po_a.done', (h: History) => h.done('po_a')],
    ['po_a.waiting', (h: History) => h.waiting('po_a')],
    ['transfer.cancel_requested', (h: History) => h.cancel()],
    ['transfer.cancelled', (h: History) => h.transferCancelled()],
  ])('%s is invalid and leaves no state', (_type, make) => {
    const result = evolve(undefined, make(new History()));
    expect(result).toEqual({
      state: undefined,
      change: 'invalid',
      reason: expect.stringMatching(/before the transfer was requested/),
    });
  });
});

describe('any event', () => {
  it('of another transfer is invalid', () => {
    const h = new History();
    h.requested();
    const other = new History('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1C');
    other.requested();
    const state = fold(h);
    const event = other.done('po_a');
    expect(evolve(state, event)).toEqual({
      state,
      change: 'invalid',
      reason: expect.stringMatching(/about transfer/),
    });
  });

  it('with the id of the last applied event is stale', () => {
    const h = new History();
    h.requested();
    const done = h.done('po_a');
    h.events.push(done);
    expectUnchanged(last(h), 'stale', /already applied/);
  });

  it('of a generation older than the state’s is stale', () => {
    const h = new History();
    h.requested();
    h.failed('po_a');
    h.retry('po_a');
    h.event(
      'po_a.waiting',
      { instance: 'erp-a', reason: 'maintenance', next_attempt_at: '2026-01-05T11:00:00.000Z', attempt: 9 },
      1,
    );
    expectUnchanged(last(h), 'stale', /generation 1 is older than the transfer's \(2\)/);
  });

  it('once applied sets updated_at to its time, last_event_id to its id, and counts it', () => {
    const h = new History();
    h.requested();
    const done = h.done('po_a');
    const { state } = last(h);
    expect(state).toMatchObject({ updated_at: done.time, last_event_id: done.id, applied: 2 });
  });

  it('never changes the state it is given', () => {
    const h = new History();
    h.requested();
    h.waiting('po_a');
    const before = fold(h);
    const copy = structuredClone(before);
    evolve(before, h.done('po_a', 2));
    evolve(before, h.failed('po_a', 3));
    evolve(before, h.cancel());
    expect(before).toEqual(copy);
  });
});

describe('<step>.done', () => {
  it('po_a.done: po_a done with its documents, the transfer in progress at pr_a', () => {
    const h = new History();
    h.requested();
    const done = h.done('po_a', 2, documentsOf('po_a', 2));
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state).toMatchObject({ status: 'in_progress', current_step: 'pr_a', generation: 1 });
    expect(state?.steps.po_a).toEqual({
      status: 'done',
      attempts: 2,
      documents: done.data.documents,
      cancelled_documents: [],
      started_at: h.events[0]?.time,
      finished_at: done.time,
    });
    expect(state?.steps.pr_a).toMatchObject({ status: 'pending', started_at: done.time });
  });

  it('each done moves current_step to the next step; pr_b.done completes the transfer (current_step null)', () => {
    const h = new History();
    h.requested();
    const seen: [string, string | null][] = [];
    for (const step of STEPS) {
      h.done(step);
      const state = fold(h);
      seen.push([state.status, state.current_step]);
    }
    expect(seen).toEqual([
      ['in_progress', 'pr_a'],
      ['in_progress', 'dn_a'],
      ['in_progress', 'pr_b'],
      ['completed', null],
    ]);
    expect(STEPS.map((step) => fold(h).steps[step].status)).toEqual(['done', 'done', 'done', 'done']);
  });

  it('attempts becomes the highest attempt reported', () => {
    const h = new History();
    h.requested();
    h.waiting('po_a', 3);
    h.done('po_a', 4);
    expect(fold(h).steps.po_a.attempts).toBe(4);
  });

  it('clears the step’s waiting and last_error', () => {
    const h = new History();
    h.requested();
    h.failed('po_a');
    h.retry('po_a');
    h.waiting('po_a', 1);
    h.done('po_a', 2);
    const step = fold(h).steps.po_a;
    expect(step.status).toBe('done');
    expect(step).not.toHaveProperty('waiting');
    expect(step).not.toHaveProperty('last_error');
  });

  it('a done for a step whose previous step is not done is invalid', () => {
    const h = new History();
    h.requested();
    h.done('pr_a');
    expectUnchanged(last(h), 'invalid', /po_a is not done/);
  });

  it('the same done again (another id, same documents) is stale: a redelivery', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    h.done('pr_a');
    h.done('po_a');
    expectUnchanged(last(h), 'stale', /po_a is already done with these documents/);
  });

  it('a done of a step already done with other documents is invalid', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    h.done('po_a', 2, documentsOf('po_a', 1, 'OTHER'));
    expectUnchanged(last(h), 'invalid', /already done with other documents/);
  });

  it('a done of a newer generation is applied and raises the generation', () => {
    const h = new History();
    h.requested();
    h.event(
      'po_a.done',
      { instance: 'erp-a', documents: documentsOf('po_a'), attempt: 1, duration_ms: 1 },
      2,
    );
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state).toMatchObject({ generation: 2, current_step: 'pr_a' });
  });

  it('a done while the transfer failed (same generation) is invalid', () => {
    const h = new History();
    h.requested();
    h.failed('po_a');
    h.done('po_a', 2);
    expectUnchanged(last(h), 'invalid', /failed at po_a: only a retry/);
  });
});

describe('<step>.waiting', () => {
  it('the step waits (reason, next attempt, attempts) and so does the transfer', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    const waiting = h.waiting('pr_a', 2, 'breaker_open');
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state?.status).toBe('waiting');
    expect(state?.current_step).toBe('pr_a');
    expect(state?.steps.pr_a).toMatchObject({
      status: 'waiting',
      attempts: 2,
      waiting: { reason: 'breaker_open', next_attempt_at: waiting.data.next_attempt_at },
    });
  });

  it('a later wait replaces the earlier one', () => {
    const h = new History();
    h.requested();
    h.waiting('po_a', 1, 'rate_limited');
    const second = h.waiting('po_a', 2, 'breaker_open');
    expect(fold(h).steps.po_a).toMatchObject({
      attempts: 2,
      waiting: { reason: 'breaker_open', next_attempt_at: second.data.next_attempt_at },
    });
  });

  it('a wait of an attempt already reported is stale (a late copy)', () => {
    const h = new History();
    h.requested();
    const first = h.waiting('po_a', 1);
    h.waiting('po_a', 2);
    h.events.push({ ...first, id: '01J00000000000000000000ZZZ' });
    expectUnchanged(last(h), 'stale', /attempt 1 of po_a was already reported/);
  });

  it('a wait for a step that is not the current one is invalid', () => {
    const h = new History();
    h.requested();
    h.waiting('dn_a');
    expectUnchanged(last(h), 'invalid', /pr_a is not done/);
  });

  it('a wait while the transfer failed is invalid', () => {
    const h = new History();
    h.requested();
    h.failed('po_a', 1);
    h.waiting('po_a', 2);
    expectUnchanged(last(h), 'invalid', /failed at po_a/);
  });
});

describe('<step>.failed', () => {
  it('the step fails with its error; the transfer is failed at that step', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    h.waiting('pr_a', 1);
    const failed = h.failed('pr_a', 2, 'Warehouse Stores - A not found');
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state).toMatchObject({ status: 'failed', failed_step: 'pr_a', current_step: 'pr_a' });
    expect(state?.steps.pr_a).toMatchObject({ status: 'failed', attempts: 2, last_error: failed.data.error });
    expect(state?.steps.pr_a).not.toHaveProperty('waiting');
  });

  it('the same failure again (another id) is stale', () => {
    const h = new History();
    h.requested();
    h.failed('po_a', 1, 'boom');
    h.failed('po_a', 1, 'boom');
    expectUnchanged(last(h), 'stale', /already failed with this error/);
  });

  it('a failure of an attempt older than the step’s latest is stale', () => {
    const h = new History();
    h.requested();
    h.waiting('po_a', 3);
    h.failed('po_a', 2);
    expectUnchanged(last(h), 'stale', /attempt 2 of po_a is older/);
  });

  it('a failure of a step that is not the current one is invalid', () => {
    const h = new History();
    h.requested();
    h.failed('pr_b');
    expectUnchanged(last(h), 'invalid', /dn_a is not done/);
  });

  it('another failure while the transfer failed is invalid', () => {
    const h = new History();
    h.requested();
    h.failed('po_a', 1, 'first');
    h.failed('po_a', 2, 'second');
    expectUnchanged(last(h), 'invalid', /failed at po_a/);
  });
});

describe('transfer.retry_requested', () => {
  it('of the failed step, in a new generation: the step pending again, the transfer in progress, the error kept', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    h.failed('pr_a', 3, 'boom');
    const retry = h.retry('pr_a');
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state).toMatchObject({ status: 'in_progress', generation: 2, current_step: 'pr_a' });
    expect(state).not.toHaveProperty('failed_step');
    expect(state?.steps.pr_a).toEqual({
      status: 'pending',
      attempts: 0,
      documents: [],
      cancelled_documents: [],
      last_error: errorOf('boom'),
      started_at: retry.time,
    });
    expect(state?.request_event_ids.at(-1)).toBe(retry.id);
  });

  it('of po_a: the transfer is pending again', () => {
    const h = new History();
    h.requested();
    h.failed('po_a');
    h.retry('po_a');
    expect(fold(h)).toMatchObject({ status: 'pending', current_step: 'po_a', generation: 2 });
  });

  it('then the step’s done (new generation) resumes the transfer', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    h.failed('pr_a');
    h.retry('pr_a');
    h.done('pr_a', 1);
    h.done('dn_a');
    h.done('pr_b');
    expect(fold(h)).toMatchObject({ status: 'completed', generation: 2, current_step: null, applied: 7 });
  });

  it('of another step than the failed one is invalid', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    h.failed('pr_a');
    h.retry('dn_a');
    expectUnchanged(last(h), 'invalid', /failed at pr_a, not at dn_a/);
  });

  it('of a transfer that is not failed is invalid', () => {
    const h = new History();
    h.requested();
    h.waiting('po_a');
    h.retry('po_a');
    expectUnchanged(last(h), 'invalid', /only a failed transfer can be retried \(it is waiting\)/);
  });

  it('in the generation already open is invalid', () => {
    const h = new History();
    h.requested();
    h.failed('po_a');
    h.event('transfer.retry_requested', { step: 'po_a' }, 1);
    expectUnchanged(last(h), 'invalid', /generation 1 is already open/);
  });

  it('a copy of it (the same id) after later events is stale', () => {
    const h = new History();
    h.requested();
    h.failed('po_a');
    const retry = h.retry('po_a');
    h.done('po_a');
    h.events.push(retry);
    expectUnchanged(last(h), 'stale', /already applied/);
  });
});

describe('transfer.cancel_requested', () => {
  const from: [string, (h: History) => void][] = [
    ['pending', () => {}],
    ['in_progress', (h) => h.done('po_a')],
    ['waiting', (h) => h.waiting('po_a')],
    ['failed', (h) => h.failed('po_a')],
    [
      'completed',
      (h) => {
        for (const step of STEPS) h.done(step);
      },
    ],
  ];
  it.each(from)('from %s: cancelling in a new generation, every step keeps its status', (status, before) => {
    const h = new History();
    h.requested();
    before(h);
    const prior = fold(h);
    expect(prior.status).toBe(status);
    const cancel = h.cancel();
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state).toMatchObject({ status: 'cancelling', generation: 2, steps: prior.steps });
    expect(state).not.toHaveProperty('failed_step');
    expect(state?.request_event_ids.at(-1)).toBe(cancel.id);
  });

  it('from cancel_failed: cancelling again (a retried cancel)', () => {
    const h = new History();
    h.requested();
    h.cancel();
    h.cancelFailed('pr_b');
    h.cancel();
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state).toMatchObject({ status: 'cancelling', generation: 3 });
    expect(state?.steps.pr_b.status).toBe('cancel_failed');
  });

  it('while cancelling is invalid', () => {
    const h = new History();
    h.requested();
    h.cancel();
    h.cancel();
    expectUnchanged(last(h), 'invalid', /already cancelling/);
  });

  it('once cancelled is invalid', () => {
    const h = new History();
    h.requested();
    h.cancel();
    for (const step of [...STEPS].reverse()) h.cancelled(step);
    h.transferCancelled([]);
    h.cancel();
    expectUnchanged(last(h), 'invalid', /already cancelled/);
  });

  it('in the generation already open is invalid', () => {
    const h = new History();
    h.requested();
    h.event('transfer.cancel_requested', {}, 1);
    expectUnchanged(last(h), 'invalid', /generation 1 is already open/);
  });
});

describe('<step>.cancelled', () => {
  it('compensation from pr_b to po_a: each step cancelled with the documents it cancelled', () => {
    const h = new History().complete();
    h.cancel();
    for (const step of [...STEPS].reverse()) {
      h.cancelled(step, documentsOf(step));
      const state = fold(h);
      expect(state.status).toBe('cancelling');
      expect(state.steps[step]).toMatchObject({
        status: 'cancelled',
        documents: documentsOf(step),
        cancelled_documents: documentsOf(step),
      });
    }
    expect(STEPS.map((step) => fold(h).steps[step].status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
  });

  it('a step with no documents is cancelled with none', () => {
    const h = new History();
    h.requested();
    h.cancel();
    h.cancelled('pr_b');
    expect(fold(h).steps.pr_b).toMatchObject({ status: 'cancelled', cancelled_documents: [] });
  });

  it('a step cancelled before the next step is invalid', () => {
    const h = new History().complete();
    h.cancel();
    h.cancelled('dn_a', documentsOf('dn_a'));
    expectUnchanged(last(h), 'invalid', /pr_b is not cancelled yet/);
  });

  it('a cancelled while the transfer is not cancelling is invalid', () => {
    const h = new History().complete();
    h.cancelled('pr_b', documentsOf('pr_b'));
    expectUnchanged(last(h), 'invalid', /only while the transfer is cancelling \(it is completed\)/);
  });

  it('the same cancelled again (another id) is stale', () => {
    const h = new History().complete();
    h.cancel();
    h.cancelled('pr_b', documentsOf('pr_b'));
    h.cancelled('dn_a', documentsOf('dn_a'));
    h.cancelled('pr_b', documentsOf('pr_b'));
    expectUnchanged(last(h), 'stale', /pr_b is already cancelled/);
  });

  it('clears the step’s waiting and last_error', () => {
    const h = new History();
    h.requested();
    h.failed('po_a');
    h.cancel();
    for (const step of [...STEPS].reverse()) h.cancelled(step);
    const po = fold(h).steps.po_a;
    expect(po.status).toBe('cancelled');
    expect(po).not.toHaveProperty('last_error');
  });
});

describe('<step>.cancel_failed', () => {
  it('the step and the transfer are cancel_failed, with the error', () => {
    const h = new History().complete();
    h.cancel();
    h.cancelled('pr_b', documentsOf('pr_b'));
    const failed = h.cancelFailed('dn_a');
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state?.status).toBe('cancel_failed');
    expect(state?.steps.dn_a).toMatchObject({ status: 'cancel_failed', last_error: failed.data.error });
  });

  it('a retried cancel runs the compensation again: cancelled steps stay cancelled, the failed one cancels', () => {
    const h = new History().complete();
    h.cancel();
    h.cancelled('pr_b', documentsOf('pr_b'));
    h.cancelFailed('dn_a');
    h.cancel();
    const again = h.cancelled('pr_b', []);
    expect(evolve(foldTransfer(h.events.slice(0, -1)), again).change).toBe('stale');
    h.cancelled('dn_a', documentsOf('dn_a'));
    h.cancelled('pr_a', documentsOf('pr_a'));
    h.cancelled('po_a', documentsOf('po_a'));
    h.transferCancelled();
    const state = fold(h);
    expect(state).toMatchObject({ status: 'cancelled', generation: 3, current_step: null });
    expect(state.steps.dn_a).toMatchObject({ status: 'cancelled', cancelled_documents: documentsOf('dn_a') });
    expect(state.steps.dn_a).not.toHaveProperty('last_error');
    expect(state.steps.pr_b.cancelled_documents).toEqual(documentsOf('pr_b'));
  });

  it('the same failure again (another id) is stale', () => {
    const h = new History();
    h.requested();
    h.cancel();
    h.cancelFailed('pr_b', 'locked');
    h.cancelFailed('pr_b', 'locked');
    expectUnchanged(last(h), 'stale', /already failed with this error/);
  });

  it('while the transfer is not cancelling is invalid', () => {
    const h = new History();
    h.requested();
    h.cancelFailed('pr_b');
    expectUnchanged(last(h), 'invalid', /only while the transfer is cancelling \(it is pending\)/);
  });
});

describe('transfer.cancelled', () => {
  it('once every step is cancelled: the transfer is cancelled, current_step null', () => {
    const h = new History();
    h.requested();
    h.done('po_a');
    h.cancel();
    for (const step of [...STEPS].reverse()) h.cancelled(step, step === 'po_a' ? documentsOf('po_a') : []);
    h.transferCancelled(['po_a']);
    const { change, state } = last(h);
    expect(change).toBe('applied');
    expect(state).toMatchObject({ status: 'cancelled', current_step: null, generation: 2 });
  });

  it('before every step is cancelled is invalid', () => {
    const h = new History();
    h.requested();
    h.cancel();
    h.cancelled('pr_b');
    h.cancelled('dn_a');
    h.transferCancelled();
    expectUnchanged(last(h), 'invalid', /not every step is cancelled yet \(po_a, pr_a\)/);
  });

  it('while the transfer is not cancelling is invalid', () => {
    const h = new History();
    h.requested();
    h.transferCancelled();
    expectUnchanged(last(h), 'invalid', /only after cancelling \(it is pending\)/);
  });

  it('again (another id) is stale', () => {
    const h = new History();
    h.requested();
    h.cancel();
    for (const step of [...STEPS].reverse()) h.cancelled(step);
    h.transferCancelled([]);
    h.transferCancelled([]);
    expectUnchanged(last(h), 'stale', /already cancelled/);
  });
});

describe('after a cancel', () => {
  const forward: [string, (h: History, step: Step, generation?: number) => void][] = [
    [
      'done',
      (h, step, generation) =>
        h.event(
          `${step}.done`,
          { instance: 'erp-a', documents: documentsOf(step), attempt: 5, duration_ms: 1 },
          generation,
        ),
    ],
    [
      'waiting',
      (h, step, generation) =>
        h.event(
          `${step}.waiting`,
          {
            instance: 'erp-a',
            reason: 'unavailable',
            next_attempt_at: '2026-01-05T12:00:00.000Z',
            attempt: 5,
          },
          generation,
        ),
    ],
    [
      'failed',
      (h, step, generation) =>
        h.event(
          `${step}.failed`,
          { instance: 'erp-a', error: errorOf('x'), attempt: 5, retryable: false },
          generation,
        ),
    ],
  ];

  it.each(forward)(
    'a %s of the generation before the cancel is stale (the step finished its write)',
    (_kind, make) => {
      const h = new History();
      h.requested();
      h.done('po_a');
      h.cancel();
      make(h, 'pr_a', 1);
      expectUnchanged(last(h), 'stale', /generation 1 is older/);
    },
  );

  it.each(forward)(
    'a %s of the cancel’s generation is invalid: no step moves forward after a cancel',
    (_kind, make) => {
      const h = new History();
      h.requested();
      h.done('po_a');
      h.cancel();
      make(h, 'pr_a');
      expectUnchanged(last(h), 'invalid', /cancelling: no step moves forward after a cancel/);
    },
  );

  it('a forward event is invalid after a cancel failed too', () => {
    const h = new History();
    h.requested();
    h.cancel();
    h.cancelFailed('pr_b');
    h.waiting('po_a', 1);
    expectUnchanged(last(h), 'invalid', /cancel_failed: no step moves forward/);
  });
});

describe('after completed', () => {
  it.each([
    ['a wait', (h: History) => h.waiting('pr_b', 2)],
    ['a failure', (h: History) => h.failed('pr_b', 2, 'late')],
    ['a retry', (h: History) => h.retry('pr_b')],
    ['a step cancelled', (h: History) => h.cancelled('pr_b')],
    ['transfer.cancelled', (h: History) => h.transferCancelled()],
  ])('%s is invalid', (_what, make) => {
    const h = new History().complete();
    make(h);
    expectUnchanged(
      last(h),
      'invalid',
      /completed|only a failed transfer|not cancelling|only while the transfer is cancelling|only after cancelling/,
    );
  });

  it('a cancel request is valid', () => {
    const h = new History().complete();
    h.cancel();
    expect(last(h).change).toBe('applied');
  });
});

describe('foldTransfer', () => {
  it('folds a whole history to its state', () => {
    const h = new History().complete();
    const state = fold(h);
    expect(state).toMatchObject({ status: 'completed', applied: 5, generation: 1, current_step: null });
    expect(stateChecker.Check(state)).toBe(true);
  });

  it('is undefined without events, or without a transfer.requested', () => {
    expect(foldTransfer([])).toBeUndefined();
    const h = new History();
    h.done('po_a');
    expect(foldTransfer(h.events)).toBeUndefined();
  });

  it('skips invalid and stale events', () => {
    const h = new History();
    h.requested();
    h.done('pr_a');
    h.done('po_a');
    h.done('po_a');
    const state = fold(h);
    expect(state).toMatchObject({ status: 'in_progress', current_step: 'pr_a', applied: 2 });
  });
});

describe('properties', () => {
  const choices = fc.array(fc.nat({ max: 99 }), { maxLength: 40 });

  function changes(events: readonly IntercoEvent[]) {
    const out: string[] = [];
    let state: TransferState | undefined;
    for (const event of events) {
      const result = evolve(state, event);
      out.push(result.change);
      state = result.state;
    }
    return { out, state };
  }

  it('no event of a valid history is invalid, and every state matches the TransferState schema', () => {
    fc.assert(
      fc.property(choices, (list) => {
        const events = historyFrom(list);
        let state: TransferState | undefined;
        for (const event of events) {
          const result = evolve(state, event);
          expect(result.change, `${event.type}: ${result.reason ?? ''}`).not.toBe('invalid');
          state = result.state;
          expect(stateChecker.Check(state)).toBe(true);
        }
      }),
    );
  });

  it('each event applied twice in a row gives the same state as once (the copies are stale)', () => {
    fc.assert(
      fc.property(choices, (list) => {
        const events = historyFrom(list);
        const once = foldTransfer(events);
        const twice = changes(events.flatMap((event) => [event, event]));
        expect(twice.state).toEqual(once);
        expect(twice.out.filter((_, i) => i % 2 === 1).every((change) => change === 'stale')).toBe(true);
      }),
    );
  });

  it('a copy of any event delivered again later changes nothing', () => {
    fc.assert(
      fc.property(choices, fc.nat(), fc.nat(), (list, pickEvent, pickPlace) => {
        const events = historyFrom(list);
        const from = pickEvent % events.length;
        const at = from + 1 + (pickPlace % (events.length - from));
        const original = events[from];
        if (original === undefined) return;
        const delivered = [...events.slice(0, at), original, ...events.slice(at)];
        const result = changes(delivered);
        expect(result.state).toEqual(foldTransfer(events));
        expect(result.out[at]).not.toBe('applied');
      }),
    );
  });
});
