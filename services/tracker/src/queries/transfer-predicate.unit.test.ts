import { describe, expect, it } from 'vitest';
import { documentFromJournal } from '../read-model/transfer-documents.js';
import { transferEvents } from '../test-support/query-fixtures.js';
import type { ListTransfersQuery } from './list-query.schema.js';
import { compareNewestFirst, matchesTransferQuery } from './transfer-predicate.js';

const createdAt = new Date('2026-12-01T10:00:00.000Z');
const events = transferEvents({
  createdAt,
  outcome: 'done_2',
  instances: { a: 'erp-x', b: 'erp-y' },
  companyA: 'Acme',
  companyB: 'Beta',
  reference: 'PO-1',
});
const doc = documentFromJournal(
  events[0]?.transferid ?? '',
  events.map((event, i) => ({ seq: i + 1, event })),
);
const clock = { now: new Date('2026-12-01T10:05:00.000Z'), stuckAfterMs: 60_000 };

describe('matchesTransferQuery (the filter, for documents read by _id)', () => {
  it.each<[ListTransfersQuery, boolean]>([
    [{}, true],
    [{ status: 'in_progress' }, true],
    [{ status: 'failed' }, false],
    [{ step: 'dn_a' }, true],
    [{ step: 'po_a' }, false],
    [{ created_from: '2026-12-01T10:00:00Z' }, true],
    [{ created_from: '2026-12-01T11:00:00+01:00' }, true],
    [{ created_from: '2026-12-01T10:00:01Z' }, false],
    [{ created_to: '2026-12-01T10:00:00Z' }, false],
    [{ created_to: '2026-12-01T10:00:01Z' }, true],
    [{ instance: 'erp-y' }, true],
    [{ instance: 'erp-a' }, false],
    [{ company: 'Beta' }, true],
    [{ company: 'Gamma' }, false],
    [{ reference: 'PO-1' }, true],
    [{ reference: 'PO-2' }, false],
    [{ stuck: 'true' }, true],
    [{ stuck: 'false' }, false],
  ])('%j -> %s', (query, expected) => {
    expect(matchesTransferQuery(doc, query, clock)).toBe(expected);
  });

  it('keeps what sorts after the cursor', () => {
    const at = doc.created_at ?? '';
    expect(matchesTransferQuery(doc, {}, { ...clock, after: { created_at: at, id: `${doc._id}Z` } })).toBe(
      true,
    );
    expect(matchesTransferQuery(doc, {}, { ...clock, after: { created_at: at, id: doc._id } })).toBe(false);
    expect(
      matchesTransferQuery(
        doc,
        {},
        { ...clock, after: { created_at: '2026-12-01T09:00:00.000Z', id: doc._id } },
      ),
    ).toBe(false);
  });

  it('serial: only the transfers its lookup found (none, or no lookup, matches nothing)', () => {
    expect(matchesTransferQuery(doc, { serial: 'SN-1' }, { ...clock, transferIds: [doc._id] })).toBe(true);
    expect(matchesTransferQuery(doc, { serial: 'SN-1' }, { ...clock, transferIds: ['tr_other'] })).toBe(
      false,
    );
    expect(matchesTransferQuery(doc, { serial: 'SN-1' }, clock)).toBe(false);
  });

  it('a document without a creation time passes no time bound and sorts after no cursor (as in MongoDB)', () => {
    const undated = { ...doc, created_at: null };
    expect(matchesTransferQuery(undated, {}, clock)).toBe(true);
    expect(matchesTransferQuery(undated, { created_to: '2026-12-02T00:00:00Z' }, clock)).toBe(false);
    expect(
      matchesTransferQuery(
        undated,
        {},
        { ...clock, after: { created_at: doc.created_at ?? '', id: doc._id } },
      ),
    ).toBe(false);
  });

  it('orders newest first, then by id descending', () => {
    const a = { _id: 'tr_B', created_at: '2026-12-01T10:00:00.000Z' };
    const b = { _id: 'tr_A', created_at: '2026-12-01T10:00:00.000Z' };
    const c = { _id: 'tr_Z', created_at: '2026-11-01T10:00:00.000Z' };
    expect([c, b, a].sort(compareNewestFirst)).toEqual([a, b, c]);
  });
});
