import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newTransferId } from '../common/ids.js';
import { STEPS } from '../common/steps.js';
import { type DataOf, EVENT_TYPES, type EventType, isStepEventType, kindOf, stepOf } from './catalogue.js';
import { type EventContext, newEvent } from './new-event.js';
import { decodeEvent, encodeEvent, parseEvent } from './parse-event.js';
import { allEventsFilter, eventSubject, eventTypeFilter, messageId, transferFilter } from './subjects.js';

const context: EventContext = {
  transferid: newTransferId(),
  generation: 1,
  actor: 'tok_ops_1',
  source: 'interco/po-a',
};
const documents = [
  { doctype: 'Purchase Order' as const, name: 'PUR-ORD-2026-00001', chunk: 0, serial_count: 2 },
];
const error = {
  kind: 'permanent' as const,
  http_status: 417,
  exc_type: 'LinkValidationError',
  messages: ['Could not find Supplier: X'],
};

/** A valid data payload for every event type. */
function sampleData(type: EventType): DataOf<EventType> {
  if (!isStepEventType(type)) {
    switch (type) {
      case 'transfer.requested':
        return {
          manifest: { ref: 'manifests/tr_x', digest: `sha256:${'a'.repeat(64)}` },
          instances: { a: '1', b: '2' },
          companies: { a: 'Compania A', b_customer_in_a: 'Compania B', a_supplier_in_b: 'Compania A' },
          supplier: 'Proveedor de Pines SA',
          warehouses: { a: 'Stores - CA', b: 'Stores - CB' },
          counts: { items: 1, serials: 2 },
          reference: 'ORD-1',
        };
      case 'transfer.retry_requested':
        return { step: 'dn_a' };
      case 'transfer.cancel_requested':
        return { reason: 'customer withdrew' };
      case 'transfer.cancelled':
        return { steps_cancelled: ['pr_b', 'dn_a', 'pr_a', 'po_a'] };
    }
  }
  switch (kindOf(type)) {
    case 'done':
      return { instance: '1', documents, attempt: 1, duration_ms: 840 };
    case 'failed':
      return { instance: '1', error, attempt: 2, retryable: true };
    case 'waiting':
      return {
        instance: '1',
        reason: 'breaker_open',
        next_attempt_at: '2026-11-26T10:00:00.000Z',
        attempt: 3,
      };
    case 'cancelled':
      return { instance: '2', documents: [] };
    case 'cancel_failed':
      return { instance: '2', error, attempt: 1 };
  }
}

describe('the event catalogue', () => {
  it('has the four transfer events and five events per step', () => {
    expect(EVENT_TYPES).toHaveLength(4 + STEPS.length * 5);
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    expect(EVENT_TYPES).toContain('pr_b.cancel_failed');
    expect(stepOf('pr_b.cancel_failed')).toBe('pr_b');
    expect(kindOf('pr_b.cancel_failed')).toBe('cancel_failed');
  });

  it.each(EVENT_TYPES)('%s: a built event is valid and survives encoding', (type) => {
    const event = newEvent(type, context, sampleData(type));
    expect(parseEvent(event)).toEqual({ ok: true, value: event });
    expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, value: event });
  });

  it('is written down in docs/events.md, every event with its subject', () => {
    const doc = readFileSync(new URL('../../../../docs/events.md', import.meta.url), 'utf8');
    for (const type of EVENT_TYPES.filter((t) => !isStepEventType(t) || stepOf(t) === 'po_a')) {
      expect(doc, type).toContain(`\`${type.replace('po_a.', '<step>.')}\``);
    }
  });
});

describe('parseEvent', () => {
  const good = newEvent('po_a.done', context, sampleData('po_a.done') as DataOf<'po_a.done'>);

  it.each([
    ['an unknown type', { ...good, type: 'po_a.finished' }, 'type'],
    ['a missing actor', { ...good, actor: undefined }, 'actor'],
    ['an extra envelope field', { ...good, note: 'x' }, 'note'],
    ['a bad transfer id', { ...good, transferid: 'tr_1.2' }, 'transferid'],
    ['generation 0', { ...good, generation: 0 }, 'generation'],
    ['a time without zone', { ...good, time: '2026-11-26 10:00' }, 'time'],
    ['data of another event', { ...good, data: sampleData('po_a.waiting') }, 'data'],
    ['no documents in done', { ...good, data: { ...good.data, documents: [] } }, 'data.documents'],
    ['another schema version', { ...good, schemaversion: 2 }, 'schemaversion'],
  ])('rejects %s', (_, value, path) => {
    const result = parseEvent(value);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.some((p) => p.path === path || p.path.startsWith(`${path}.`))).toBe(true);
  });

  it('rejects a payload that is not JSON', () => {
    expect(decodeEvent(new TextEncoder().encode('{nope'))).toEqual({
      ok: false,
      problems: [{ path: '', message: 'is not JSON' }],
    });
  });
});

describe('subjects and message ids', () => {
  const done = newEvent('pr_a.done', context, sampleData('pr_a.done') as DataOf<'pr_a.done'>);

  it('put the transfer id and the event type in the subject', () => {
    expect(eventSubject(done)).toBe(`interco.t.${context.transferid}.pr_a.done`);
    expect(eventSubject(done, 't_abc')).toBe(`t_abc.t.${context.transferid}.pr_a.done`);
    expect(eventTypeFilter('pr_a.done')).toBe('interco.t.*.pr_a.done');
    expect(transferFilter(context.transferid)).toBe(`interco.t.${context.transferid}.>`);
    expect(allEventsFilter('t_abc')).toBe('t_abc.t.>');
  });

  it('give the same fact the same message id, and a new generation a new one', () => {
    const again = newEvent('pr_a.done', context, done.data);
    expect(again.id).not.toBe(done.id);
    expect(messageId(again)).toBe(messageId(done));
    const retried = newEvent('pr_a.done', { ...context, generation: 2 }, done.data);
    expect(messageId(retried)).not.toBe(messageId(done));
  });

  it('tell apart the waits of one step by their attempt', () => {
    const wait = (attempt: number) =>
      newEvent('dn_a.waiting', context, {
        ...(sampleData('dn_a.waiting') as DataOf<'dn_a.waiting'>),
        attempt,
      });
    expect(messageId(wait(1))).not.toBe(messageId(wait(2)));
    expect(messageId(wait(2))).toBe(messageId(wait(2)));
  });
});
