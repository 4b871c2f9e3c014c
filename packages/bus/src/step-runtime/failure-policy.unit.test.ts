import { newEvent, newTransferId } from '@interco/contracts';
import { ErpnextError, type ErpnextErrorInit, MarkerError } from '@interco/erpnext';
import { JetStreamApiError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../stores/store-error.js';
import { EventTooLargeError } from '../stream/event-publisher.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { type FailurePolicyInput, failureAction } from './failure-policy.js';
import { errorFields } from './log-error.js';
import { LeaseLostError, StepFailure, TransientStepError } from './step-errors.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
const DAY = 24 * 60 * 60 * 1000;

function input(error: unknown, more: Partial<FailurePolicyInput> = {}): FailurePolicyInput {
  return {
    error,
    deliveryCount: 3,
    inputTime: minutesAgo(5),
    now,
    budgetMs: DAY,
    backoff: DEFAULT_BACKOFF,
    random: () => 0.5,
    ...more,
  };
}

function erpnext(init: Partial<ErpnextErrorInit> & Pick<ErpnextErrorInit, 'kind' | 'reason'>): ErpnextError {
  return new ErpnextError({ instanceId: 'erp-a', operation: 'insert Delivery Note', ...init });
}

const backoffOf3 = 1_000 + 0.5 * (4_000 - 1_000); // attempt 3: ceiling 4 s, random 0.5

describe('failure policy: transient', () => {
  it('naks a network failure with exponential backoff and full jitter, no waiting event', () => {
    const action = failureAction(
      input(erpnext({ kind: 'transient', reason: 'network', detail: 'ECONNRESET' })),
    );
    expect(action).toMatchObject({ action: 'nak', delayMs: backoffOf3 });
    expect(action).not.toHaveProperty('waiting');
  });

  it('naks timeouts, gateways, deadlocks and lock waits the same way', () => {
    for (const [reason, status] of [
      ['timeout', undefined],
      ['gateway', 504],
      ['deadlock', 500],
      ['lock_timeout', 500],
      ['database_unavailable', 500],
    ] as const) {
      const action = failureAction(
        input(erpnext({ kind: 'transient', reason, ...(status ? { status } : {}) })),
      );
      expect(action).toMatchObject({ action: 'nak', delayMs: backoffOf3 });
      expect(action).not.toHaveProperty('waiting');
    }
  });

  it('waits until the breaker half-opens, and says so (breaker_open)', () => {
    const halfOpenAt = now.getTime() + 25_000;
    const action = failureAction(
      input(erpnext({ kind: 'transient', reason: 'breaker_open', retryAfterMs: 24_000 }), {
        breakerHalfOpenAt: halfOpenAt,
      }),
    );
    expect(action).toMatchObject({
      action: 'nak',
      delayMs: 25_000,
      waiting: { reason: 'breaker_open', next_attempt_at: new Date(halfOpenAt).toISOString() },
    });
  });

  it('uses the error’s own half-open time when the client reports none, at least the minimum backoff', () => {
    expect(
      failureAction(input(erpnext({ kind: 'transient', reason: 'breaker_open', retryAfterMs: 7_000 }))),
    ).toMatchObject({
      action: 'nak',
      delayMs: 7_000,
      waiting: { reason: 'breaker_open' },
    });
    expect(
      failureAction(input(erpnext({ kind: 'transient', reason: 'breaker_open', retryAfterMs: 10 }))),
    ).toMatchObject({
      delayMs: 1_000,
    });
  });

  it('honours Retry-After on a 429 and says rate_limited', () => {
    const action = failureAction(
      input(erpnext({ kind: 'transient', reason: 'rate_limited', status: 429, retryAfterMs: 120_000 })),
    );
    expect(action).toMatchObject({
      action: 'nak',
      delayMs: 120_000,
      waiting: { reason: 'rate_limited', next_attempt_at: new Date(now.getTime() + 120_000).toISOString() },
    });
  });

  it('backs off on a 429 without Retry-After', () => {
    expect(
      failureAction(input(erpnext({ kind: 'transient', reason: 'rate_limited', status: 429 }))),
    ).toMatchObject({
      action: 'nak',
      delayMs: backoffOf3,
      waiting: { reason: 'rate_limited' },
    });
  });

  it('calls a 503 maintenance (Retry-After honoured), other unavailable answers unavailable', () => {
    expect(
      failureAction(
        input(erpnext({ kind: 'transient', reason: 'unavailable', status: 503, retryAfterMs: 300_000 })),
      ),
    ).toMatchObject({ action: 'nak', delayMs: 300_000, waiting: { reason: 'maintenance' } });
    expect(
      failureAction(input(erpnext({ kind: 'transient', reason: 'unavailable', status: 599 }))),
    ).toMatchObject({
      action: 'nak',
      delayMs: backoffOf3,
      waiting: { reason: 'unavailable' },
    });
  });

  it('describes the wait without ERPNext’s words', () => {
    const error = erpnext({
      kind: 'transient',
      reason: 'unavailable',
      status: 503,
      messages: ['Serial No 4900000000001 is locked'],
    });
    const action = failureAction(input(error));
    expect(action.action === 'nak' && action.waiting?.detail).toBe(error.describe());
    expect(JSON.stringify(action.action === 'nak' ? action.waiting : undefined)).not.toContain(
      '4900000000001',
    );
  });

  it('retries a conflict (read again) with backoff', () => {
    expect(
      failureAction(input(erpnext({ kind: 'conflict', reason: 'timestamp_mismatch', status: 417 }))),
    ).toMatchObject({ action: 'nak', delayMs: backoffOf3, error: { kind: 'conflict', http_status: 417 } });
  });

  it('retries a TransientStepError (the preflight could not read an instance) with backoff', () => {
    const action = failureAction(input(new TransientStepError(['instance A (erp-a) cannot be used'])));
    expect(action).toMatchObject({ action: 'nak', delayMs: backoffOf3 });
    expect(action).not.toHaveProperty('bug');
  });

  it('retries anything else as a bug (logged with its stack)', () => {
    expect(failureAction(input(new TypeError('x is undefined')))).toMatchObject({
      action: 'nak',
      delayMs: backoffOf3,
      bug: true,
      error: { kind: 'transient', messages: ['TypeError: x is undefined'] },
    });
  });

  it('naks a lost lease for 2-5 s, whatever the budget', () => {
    expect(
      failureAction(input(new LeaseLostError('tr_1.po_a'), { inputTime: minutesAgo(3 * 24 * 60) })),
    ).toMatchObject({ action: 'nak', delayMs: 3_500, leaseLost: true });
  });
});

describe('failure policy: past the time budget', () => {
  const late = { inputTime: minutesAgo(24 * 60 + 1) };

  it('fails a transient ERPNext error, retryable, with its description and why it gave up', () => {
    const error = erpnext({ kind: 'transient', reason: 'gateway', status: 502 });
    const action = failureAction(input(error, late));
    expect(action).toMatchObject({ action: 'fail', retryable: true, budgetSpent: true });
    if (action.action !== 'fail') throw new Error('expected fail');
    expect(action.error).toMatchObject({ kind: 'transient', http_status: 502 });
    expect(action.error.messages[0]).toBe(error.describe());
    expect(action.error.messages.at(-1)).toMatch(/gave up/);
  });

  it('fails a waiting reason too (no endless wait)', () => {
    expect(
      failureAction(
        input(erpnext({ kind: 'transient', reason: 'rate_limited', status: 429, retryAfterMs: 5 }), late),
      ),
    ).toMatchObject({ action: 'fail', retryable: true });
  });

  it('fails a bug, flagged as one', () => {
    expect(failureAction(input(new Error('boom'), late))).toMatchObject({
      action: 'fail',
      retryable: true,
      bug: true,
    });
  });

  it('counts the budget from the input event’s time', () => {
    expect(
      failureAction(input(new Error('boom'), { inputTime: minutesAgo(10), budgetMs: 9 * 60_000 })),
    ).toMatchObject({
      action: 'fail',
    });
    expect(
      failureAction(input(new Error('boom'), { inputTime: minutesAgo(10), budgetMs: 11 * 60_000 })),
    ).toMatchObject({
      action: 'nak',
    });
  });
});

describe('failure policy: permanent', () => {
  it('fails on a validation error with ERPNext’s decoded messages, status and exc_type', () => {
    const error = erpnext({
      kind: 'permanent',
      reason: 'validation',
      status: 417,
      excType: 'LinkValidationError',
      messages: ['Could not find Price List: No Such List'],
    });
    expect(failureAction(input(error, { chunk: 2 }))).toEqual({
      action: 'fail',
      retryable: true,
      error: {
        kind: 'permanent',
        http_status: 417,
        exc_type: 'LinkValidationError',
        messages: ['Could not find Price List: No Such List'],
        chunk: 2,
      },
    });
  });

  it('fails at once whatever the budget left', () => {
    expect(
      failureAction(
        input(erpnext({ kind: 'permanent', reason: 'not_found', status: 404 }), {
          inputTime: now.toISOString(),
        }),
      ),
    ).toMatchObject({ action: 'fail', error: { kind: 'permanent', http_status: 404 } });
  });

  it('fails on auth (401, 403) with kind auth', () => {
    expect(
      failureAction(
        input(erpnext({ kind: 'auth', reason: 'forbidden', status: 403, excType: 'PermissionError' })),
      ),
    ).toMatchObject({
      action: 'fail',
      retryable: true,
      error: { kind: 'auth', http_status: 403, exc_type: 'PermissionError' },
    });
  });

  it('uses the description when ERPNext sent no message', () => {
    const error = erpnext({ kind: 'permanent', reason: 'server_error', status: 500, excType: 'TypeError' });
    const action = failureAction(input(error));
    expect(action).toMatchObject({ action: 'fail', error: { messages: [error.describe()] } });
  });

  it('fails on a MarkerError with its messages', () => {
    const error = new MarkerError({
      reason: 'duplicate_found',
      instanceId: 'erp-a',
      operation: 'insert once Purchase Order',
      doctype: 'Purchase Order',
      marker: 'tr_1:po_a:0',
      messages: ['2 live Purchase Order documents carry the Interco marker tr_1:po_a:0.'],
    });
    expect(failureAction(input(error, { chunk: 0 }))).toEqual({
      action: 'fail',
      retryable: true,
      error: { kind: 'permanent', messages: error.messages, chunk: 0 },
    });
  });

  it('fails on a StepFailure, retryable as it says, its chunk first', () => {
    expect(
      failureAction(input(new StepFailure(['company A (erp-a): no such company'], { retryable: true }))),
    ).toEqual({
      action: 'fail',
      retryable: true,
      error: { kind: 'permanent', messages: ['company A (erp-a): no such company'] },
    });
    expect(failureAction(input(new StepFailure(['no PO'], { chunk: 4 }), { chunk: 1 }))).toEqual({
      action: 'fail',
      retryable: false,
      error: { kind: 'permanent', messages: ['no PO'], chunk: 4 },
    });
  });

  it('keeps the event within its schema: 50 messages of 4,000 characters at most', () => {
    const error = erpnext({
      kind: 'permanent',
      reason: 'validation',
      status: 417,
      excType: 'X'.repeat(300),
      messages: Array.from({ length: 80 }, () => 'm'.repeat(5_000)),
    });
    const action = failureAction(input(error));
    if (action.action !== 'fail') throw new Error('expected fail');
    expect(action.error.messages).toHaveLength(50);
    expect(Math.max(...action.error.messages.map((m) => m.length))).toBe(4_000);
    expect(action.error.exc_type).toHaveLength(140);
  });
});

describe('failure policy: NATS unavailable', () => {
  const natsErrors = (): Error[] => {
    const jsNotEnabled = new Error('jetstream is not enabled', {
      cause: new RequestError('no responders', { cause: new NoRespondersError('$JS.API.STREAM.INFO.X') }),
    });
    jsNotEnabled.name = 'JetStreamNotEnabled';
    const statusError = Object.assign(new Error('no responders'), {
      name: 'JetStreamStatusError',
      code: 503,
    });
    const heartbeats = Object.assign(new Error('heartbeats missed'), { name: 'JetStreamError' });
    return [
      new TimeoutError(),
      new ClosedConnectionError(),
      new DrainingConnectionError(),
      new RequestError('no responders', { cause: new NoRespondersError('$JS.API') }),
      jsNotEnabled,
      statusError,
      heartbeats,
      new JetStreamApiError({
        code: 503,
        err_code: 10008,
        description: 'JetStream system temporarily unavailable',
      }),
      new Error('reading the record failed', { cause: new TimeoutError() }),
    ];
  };

  it('retries timeouts, closed or draining connections, no responders and 503s as ordinary transient failures', () => {
    for (const error of natsErrors()) {
      const action = failureAction(input(error));
      expect(action).toMatchObject({ action: 'nak', delayMs: backoffOf3 });
      expect(action).not.toHaveProperty('bug');
    }
  });

  it('logs them without a stack', () => {
    for (const error of natsErrors()) {
      const fields = errorFields(error);
      expect(fields).not.toHaveProperty('err');
      expect(JSON.stringify(fields)).not.toContain('    at ');
    }
  });

  it('still calls other errors bugs, with their stack', () => {
    const badRequest = new JetStreamApiError({ code: 400, err_code: 10052, description: 'bad' });
    expect(failureAction(input(badRequest))).toMatchObject({ action: 'nak', bug: true });
    expect(failureAction(input(new TypeError('x')))).toMatchObject({ action: 'nak', bug: true });
    expect(errorFields(new TypeError('x'))).toHaveProperty('err');
  });

  it('fails them past the time budget, not as bugs', () => {
    const action = failureAction(input(new TimeoutError(), { inputTime: minutesAgo(25 * 60) }));
    expect(action).toMatchObject({ action: 'fail', retryable: true, budgetSpent: true });
    expect(action).not.toHaveProperty('bug');
  });
});

describe('failure policy: nothing a retry can fix', () => {
  it('fails an event too large for the stream at once, not retryable', () => {
    const event = newEvent(
      'po_a.done',
      { transferid: newTransferId(), generation: 1, actor: 'tok_test', source: 'interco/po-a' },
      {
        instance: 'erp-a',
        attempt: 1,
        duration_ms: 1,
        documents: [{ doctype: 'Purchase Order', name: 'PO-1', chunk: 0, serial_count: 1 }],
      },
    );
    const action = failureAction(input(new EventTooLargeError(70_000, event)));
    expect(action).toMatchObject({ action: 'fail', retryable: false, error: { kind: 'permanent' } });
    expect(action).not.toHaveProperty('bug');
    expect(action.error.messages[0]).toContain('70000 bytes');
  });

  it('fails a record or manifest that is invalid, tampered with or missing, not retryable', () => {
    for (const kind of ['invalid', 'tampered', 'missing'] as const) {
      const action = failureAction(input(new StoreError(kind, 'the stored record of tr_x is not JSON')));
      expect(action).toMatchObject({ action: 'fail', retryable: false, error: { kind: 'permanent' } });
      expect(action.error.messages[0]).toContain(`(${kind}): the stored record of tr_x is not JSON`);
    }
  });

  it('retries a compare-and-set that kept losing (StoreError conflict), not as a bug', () => {
    const action = failureAction(input(new StoreError('conflict', 'transfer tr_x kept changing')));
    expect(action).toMatchObject({ action: 'nak', delayMs: backoffOf3 });
    expect(action).not.toHaveProperty('bug');
  });
});

describe('failure policy: serials', () => {
  it('takes the serials out of the messages before cutting them to size', () => {
    const error = erpnext({
      kind: 'permanent',
      reason: 'validation',
      status: 417,
      messages: [`${'x'.repeat(3_990)} SN-1 more`],
    });
    const action = failureAction(
      input(error, {
        redact: (messages) => messages.map((m) => m.replace('SN-1', '[serial items[0].serials[0]]')),
      }),
    );
    expect(action.error.messages[0]).toContain(' [serial');
    expect(action.error.messages[0]).not.toContain('SN-1');
  });
});
