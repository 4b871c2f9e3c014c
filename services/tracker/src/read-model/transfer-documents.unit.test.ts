import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { sampleHistory } from '../test-support/histories.js';
import { TransferDocument } from './transfer-document.schema.js';
import { documentFromJournal, foldJournal, uniqueInStreamOrder } from './transfer-documents.js';

const check = TypeCompiler.Compile(TransferDocument);

describe('documentFromJournal', () => {
  it('a completed transfer: state, query fields, documents per step, what durations need', () => {
    const events = sampleHistory('completed');
    const id = events[0]?.transferid ?? '';
    const doc = documentFromJournal(
      id,
      events.map((event, i) => ({ seq: 10 + i, event })),
    );
    expect(check.Check(doc)).toBe(true);
    expect(doc).toMatchObject({
      _id: id,
      version: 1,
      last_seq: 14,
      status: 'completed',
      current_step: null,
      instance_a: 'erp-a',
      instance_b: 'erp-b',
      company_a: 'Company A',
      company_b: null,
      company_b_customer_in_a: 'Company B',
      company_a_supplier_in_b: 'Company A',
      reference: null,
      actor: 'tok_ops',
      serials_indexed: false,
      created_at: events[0]?.time,
      updated_at: events.at(-1)?.time,
    });
    for (const step of ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const) {
      const state = doc.state?.steps[step];
      expect(state?.status).toBe('done');
      expect(state?.documents).toHaveLength(1);
      expect(Date.parse(state?.finished_at ?? '') - Date.parse(state?.started_at ?? '')).toBe(1000);
    }
    expect(doc.state).toEqual(JSON.parse(JSON.stringify(foldJournal(doc))));
  });

  it('a failed transfer keeps ERPNext messages; a waiting one its reason', () => {
    const failed = sampleHistory('failed');
    const doc = documentFromJournal(
      failed[0]?.transferid ?? '',
      failed.map((event, i) => ({ seq: i + 1, event })),
    );
    expect(doc.status).toBe('failed');
    expect(doc.state?.failed_step).toBe('dn_a');
    expect(doc.state?.steps.dn_a.last_error?.messages).toEqual([
      'Serial No [serial items[0].serials[0]] is already present',
    ]);
    const waiting = sampleHistory('waiting');
    const wait = documentFromJournal(
      waiting[0]?.transferid ?? '',
      waiting.map((event, i) => ({ seq: i + 1, event })),
    );
    expect(wait.status).toBe('waiting');
    expect(wait.state?.steps.pr_a.waiting?.reason).toBe('rate_limited');
    expect(check.Check(wait)).toBe(true);
  });

  it('stores no undefined member (what MongoDB gives back equals what was written)', () => {
    const events = sampleHistory('retried');
    const doc = documentFromJournal(
      events[0]?.transferid ?? '',
      events.map((event, i) => ({ seq: i + 1, event })),
    );
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe('uniqueInStreamOrder', () => {
  it('keeps each event once, at its lowest sequence, sorted', () => {
    const [a, b] = sampleHistory('completed');
    if (a === undefined || b === undefined) throw new Error('no events');
    expect(
      uniqueInStreamOrder([
        { seq: 9, event: b },
        { seq: 5, event: a },
        { seq: 3, event: b },
        { seq: 7, event: a },
      ]).map((entry) => [entry.seq, entry.event.id]),
    ).toEqual([
      [3, b.id],
      [5, a.id],
    ]);
  });
});
