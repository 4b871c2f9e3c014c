/**
 * buildTransferFilter (run by FerretDB) and matchesTransferQuery (run here) answer alike: the
 * same random documents, the same random queries, the same result sets.
 */
import { mongoUrl, testNamespace } from '@interco/testkit/vitest';
import fc from 'fast-check';
import { type Collection, type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import type { ListTransfersQuery } from './list-query.schema.js';
import { RUNNING_STATUSES } from './stuck.js';
import { buildTransferFilter, type FilterableDocument, type FilterContext } from './transfer-filter.js';
import { matchesTransferQuery } from './transfer-predicate.js';

const SEED = 20261205;
const DOCUMENTS = 80;
const RUNS = 150;

const STATUSES = [
  'pending',
  'in_progress',
  'waiting',
  'failed',
  'completed',
  'cancelling',
  'cancel_failed',
  'cancelled',
] as const;
const STEPS = ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const;
const INSTANCES = ['erp-x', 'erp-y', 'erp-z'] as const;
const COMPANIES = ['Acme', 'Beta', 'Gamma'] as const;
const REFERENCES = ['PO-1', 'PO-2'] as const;
/** Stored times (toISOString) around the clock's now, some equal, to meet the bounds exactly. */
const STORED_TIMES = Array.from({ length: 12 }, (_, i) =>
  new Date(Date.parse('2026-12-01T10:00:00.000Z') + i * 7 * 60_000).toISOString(),
);
const NOW = new Date('2026-12-01T11:00:00.000Z');
const STUCK_AFTER_MS = 20 * 60_000;

const maybe = <T>(values: readonly T[]) => fc.option(fc.constantFrom(...values), { nil: null });

const documentArb = fc.record({
  status: maybe(STATUSES),
  current_step: maybe(STEPS),
  created_at: maybe(STORED_TIMES),
  updated_at: maybe(STORED_TIMES),
  instance_a: maybe(INSTANCES),
  instance_b: maybe(INSTANCES),
  company_a: maybe(COMPANIES),
  company_b: maybe(COMPANIES),
  company_b_customer_in_a: maybe(COMPANIES),
  company_a_supplier_in_b: maybe(COMPANIES),
  reference: maybe(REFERENCES),
});

/** A time as a client writes it: the stored form, another offset, no milliseconds, or off-grid. */
const clientTimeArb = fc
  .tuple(
    fc.constantFrom(...STORED_TIMES),
    fc.constantFrom('z', '+01:00', '-05:30', 'plain'),
    fc.integer({ min: -1, max: 1 }),
  )
  .map(([stored, form, nudgeSeconds]) => {
    const at = new Date(Date.parse(stored) + nudgeSeconds * 1000);
    if (form === 'z') return at.toISOString();
    if (form === 'plain') return at.toISOString().replace('.000Z', 'Z');
    const minutes = (form.startsWith('-') ? -1 : 1) * (Number(form.slice(1, 3)) * 60 + Number(form.slice(4)));
    const local = new Date(at.getTime() + minutes * 60_000).toISOString().slice(0, 19);
    return `${local}${form}`;
  });

let ids: string[] = [];

/** A query of up to three filters (more rarely keep anything of a few dozen documents). */
const caseArb = fc
  .tuple(
    fc.record({
      status: fc.constantFrom(...STATUSES),
      step: fc.constantFrom(...STEPS),
      created_from: clientTimeArb,
      created_to: clientTimeArb,
      instance: fc.constantFrom(...INSTANCES),
      company: fc.constantFrom(...COMPANIES),
      reference: fc.constantFrom(...REFERENCES),
      serial: fc.constant('SN-1'),
      stuck: fc.constantFrom('true' as const, 'false' as const),
    }),
    fc.subarray(
      [
        'status',
        'step',
        'created_from',
        'created_to',
        'instance',
        'company',
        'reference',
        'serial',
        'stuck',
      ] as const,
      { maxLength: 3 },
    ),
  )
  .map(([values, keys]) => Object.fromEntries(keys.map((key) => [key, values[key]])) as ListTransfersQuery)
  .chain((query) =>
    fc.record({
      query: fc.constant(query),
      transferIds: fc.option(fc.subarray(ids), { nil: undefined }),
      after: fc.option(
        fc.record({ created_at: fc.constantFrom(...STORED_TIMES), id: fc.constantFrom(...ids) }),
        { nil: undefined },
      ),
    }),
  );

let client: MongoClient;
let db: Db;
let transfers: Collection<TransferDocument>;
let documents: FilterableDocument[] = [];

beforeAll(async () => {
  client = await new MongoClient(mongoUrl()).connect();
  db = client.db(testNamespace().dbName);
  transfers = db.collection<TransferDocument>('filter_agreement');
  documents = fc
    .sample(documentArb, { seed: SEED, numRuns: DOCUMENTS })
    .map((fields, i) => ({ _id: `tr_${String(i).padStart(3, '0')}`, ...fields }));
  ids = documents.map((doc) => doc._id);
  await transfers.insertMany(documents as unknown as TransferDocument[]);
});

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined);
  await client?.close();
});

describe('buildTransferFilter and matchesTransferQuery', () => {
  it('keep the same documents, for random documents and queries (FerretDB)', async () => {
    expect(RUNNING_STATUSES.every((status) => (STATUSES as readonly string[]).includes(status))).toBe(true);
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ query, transferIds, after }) => {
        const context: FilterContext = { now: NOW, stuckAfterMs: STUCK_AFTER_MS, transferIds, after };
        const found = await transfers
          .find(buildTransferFilter(query, context), { projection: { _id: 1 } })
          .toArray();
        const byFilter = found.map((doc) => doc._id).sort();
        const byPredicate = documents
          .filter((doc) => matchesTransferQuery(doc, query, context))
          .map((doc) => doc._id)
          .sort();
        if (byFilter.length > 0) nonEmpty += 1;
        expect(byPredicate).toEqual(byFilter);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The queries were not all empty-handed: the comparison says something.
    expect(nonEmpty).toBeGreaterThan(RUNS / 4);
  });
});
