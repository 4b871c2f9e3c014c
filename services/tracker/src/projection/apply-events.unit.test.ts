import { foldTransfer, type IntercoEvent } from '@interco/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SequencedEvent } from '../read-model/journal.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import { foldJournal } from '../read-model/transfer-documents.js';
import { HISTORY_KINDS, sampleHistory } from '../test-support/histories.js';
import { applyEvents } from './apply-events.js';

const sequenced = (events: readonly IntercoEvent[], from = 1): SequencedEvent[] =>
  events.map((event, i) => ({ seq: from + i, event }));

/** Applies deliveries one batch after another, as the projector would. */
function deliver(batches: readonly (readonly SequencedEvent[])[]): TransferDocument | undefined {
  let doc: TransferDocument | undefined;
  for (const batch of batches) if (batch.length > 0) doc = applyEvents(doc, batch).doc;
  return doc;
}

const withoutVersion = ({ version: _version, ...rest }: TransferDocument) => rest;

describe('applyEvents', () => {
  it.each(HISTORY_KINDS)('a %s history: the state is the fold of the journal in stream order', (kind) => {
    const entries = sequenced(sampleHistory(kind));
    const { doc, changed } = applyEvents(undefined, entries);
    expect(changed).toBe(true);
    expect(doc.state).toEqual(JSON.parse(JSON.stringify(foldTransfer(entries.map((e) => e.event)))));
    expect(doc.state).toEqual(JSON.parse(JSON.stringify(foldJournal(doc))));
    expect(doc.journal.map((entry) => entry.seq)).toEqual(entries.map((e) => e.seq));
    expect(doc.journal.every((entry) => entry.change === 'applied')).toBe(true);
    expect(doc.last_seq).toBe(entries.length);
    expect(doc.status).toBe(doc.state?.status);
  });

  it('every event applied twice changes nothing', () => {
    for (const kind of HISTORY_KINDS) {
      const entries = sequenced(sampleHistory(kind));
      let doc: TransferDocument | undefined;
      for (const entry of entries) {
        const first = applyEvents(doc, [entry]);
        expect(first.changed).toBe(true);
        const again = applyEvents(first.doc, [entry]);
        expect(again.changed).toBe(false);
        expect(again.doc).toBe(first.doc);
        doc = first.doc;
      }
      expect(applyEvents(doc, entries).changed).toBe(false);
    }
  });

  it('the same events in any order, with copies, in any batches, give the same document', () => {
    const histories = HISTORY_KINDS.map((kind) => sequenced(sampleHistory(kind)));
    fc.assert(
      fc.property(
        fc.constantFrom(...histories),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        (entries, noise, batchSize) => {
          const expected = applyEvents(undefined, entries).doc;
          // A shuffled delivery with copies: the noise picks the order and what comes twice.
          const deliveries = [...entries, ...noise.map((n) => entries[n % entries.length] as SequencedEvent)];
          const order = deliveries
            .map((entry, i) => ({ entry, key: noise[i % noise.length] ?? i }))
            .sort((a, b) => a.key - b.key || a.entry.seq - b.entry.seq)
            .map(({ entry }) => entry);
          const batches: SequencedEvent[][] = [];
          for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
          const doc = deliver(batches);
          expect(doc && withoutVersion(doc)).toEqual(withoutVersion(expected));
        },
      ),
      { numRuns: 200, seed: 20_260_105 },
    );
  });

  it('20 random orders of the same events give identical documents', () => {
    const entries = sequenced(sampleHistory('retried'));
    const documents = fc
      .sample(fc.shuffledSubarray(entries, { minLength: entries.length }), { numRuns: 20, seed: 7 })
      .map((order) => deliver(order.map((entry) => [entry])));
    const expected = applyEvents(undefined, entries).doc;
    for (const doc of documents) expect(doc && withoutVersion(doc)).toEqual(withoutVersion(expected));
  });

  it('events before transfer.requested: no state, each recorded invalid, folded again once it comes', () => {
    const entries = sequenced(sampleHistory('completed'));
    const [requested, ...rest] = entries;
    if (requested === undefined) throw new Error('no events');
    const early = applyEvents(undefined, rest.slice(0, 2)).doc;
    expect(early.state).toBeNull();
    expect(early.status).toBeNull();
    expect(early.journal.map((entry) => entry.change)).toEqual(['invalid', 'invalid']);
    expect(early.journal[0]?.reason).toMatch(/before the transfer was requested/);
    const late = applyEvents(early, [requested, ...rest]).doc;
    expect(late.version).toBe(2);
    expect(late.status).toBe('completed');
    expect(late.journal.every((entry) => entry.change === 'applied')).toBe(true);
    expect(withoutVersion(late)).toEqual(withoutVersion(applyEvents(undefined, entries).doc));
  });

  it('applies events after the last sequence incrementally, keeping the serial flag', () => {
    const entries = sequenced(sampleHistory('completed'));
    const first = { ...applyEvents(undefined, entries.slice(0, 2)).doc, serials_indexed: true };
    const next = applyEvents(first, entries.slice(2)).doc;
    expect(next.version).toBe(2);
    expect(next.serials_indexed).toBe(true);
    expect(next.journal.slice(0, 2)).toEqual(first.journal);
    expect(next.state?.status).toBe('completed');
  });

  it('keeps a copy published again later (another sequence) once, at its first sequence', () => {
    const entries = sequenced(sampleHistory('completed'));
    const copy = { ...(entries[1] as SequencedEvent), seq: 100 };
    const doc = applyEvents(applyEvents(undefined, entries).doc, [copy]);
    expect(doc.changed).toBe(false);
    const reversed = applyEvents(applyEvents(undefined, [copy]).doc, entries).doc;
    expect(withoutVersion(reversed)).toEqual(withoutVersion(applyEvents(undefined, entries).doc));
  });

  it('refuses an event of another transfer', () => {
    const [one] = sequenced(sampleHistory('completed'));
    const [other] = sequenced(sampleHistory('completed'));
    if (one === undefined || other === undefined) throw new Error('no events');
    expect(() => applyEvents(applyEvents(undefined, [one]).doc, [other])).toThrow(/not tr_/);
  });
});
