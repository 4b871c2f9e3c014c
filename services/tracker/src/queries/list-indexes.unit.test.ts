/**
 * Every filter shape `GET /v1/transfers` accepts has an index that reads its page in order
 * (MongoDB's equality-sort-range rule): the shapes come from the list's own query schema and its
 * clauses (transferClauses), so a new filter without an index fails here.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Filter } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { TRANSFER_INDEXES } from '../read-model/tracker-store.js';
import type { TransferDocument } from '../read-model/transfer-document.schema.js';
import type { TransferCursor } from './cursor.js';
import { ListTransfersQuery } from './list-query.schema.js';
import { TRANSFER_ORDER, transferClauses } from './transfer-filter.js';

const clock = { now: new Date('2026-12-05T12:00:00.000Z'), stuckAfterMs: 15 * 60_000 };
const AFTER: TransferCursor = { created_at: '2026-12-01T00:00:00.000Z', id: 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B' };
const ORDER = Object.entries(TRANSFER_ORDER);

/** Not filters of the collection: the page size, the cursor (a shape's `after`), the serial (read by `_id`). */
const NOT_INDEXED = new Set(['limit', 'cursor', 'serial']);

interface Shape {
  readonly label: string;
  readonly query: ListTransfersQuery;
  readonly after?: TransferCursor;
}

/** Values a query parameter can take: each literal of a union, else one example of its type. */
function samplesOf(name: string, schema: TSchema): string[] {
  const literals = (schema.anyOf as TSchema[] | undefined)?.map((member) => member.const);
  if (literals?.every((value): value is string => typeof value === 'string')) return literals;
  if (schema.type === 'string' && schema.format === 'date-time') return ['2026-12-01T00:00:00Z'];
  if (schema.type === 'string') return ['x'];
  throw new Error(`no sample for the query parameter ${name}: add one here`);
}

/** Each filter alone, none, and each with a date range, the stuck filter and a cursor. */
function shapes(): Shape[] {
  const single: Shape[] = Object.entries(ListTransfersQuery.properties)
    .filter(([name]) => !NOT_INDEXED.has(name))
    .flatMap(([name, schema]) =>
      samplesOf(name, schema).map((value) => ({ label: `${name}=${value}`, query: { [name]: value } })),
    );
  const range = { created_from: '2026-11-01T00:00:00Z', created_to: '2026-12-01T00:00:00Z' };
  return [
    { label: 'none', query: {} },
    { label: 'cursor', query: {}, after: AFTER },
    ...single,
    ...single.flatMap((shape) => [
      { label: `${shape.label}, cursor`, query: shape.query, after: AFTER },
      {
        label: `${shape.label}, range, stuck, cursor`,
        query: { ...range, stuck: 'true', ...shape.query },
        after: AFTER,
      },
    ]),
  ] as Shape[];
}

/** The field of `{field: "text"}` (an equality), else undefined. */
function equalityField(filter: Filter<TransferDocument>): string | undefined {
  const entries = Object.entries(filter);
  const [first] = entries;
  return entries.length === 1 && first !== undefined && typeof first[1] === 'string' ? first[0] : undefined;
}

/**
 * The equality fields of each way the filter can be served: one per `$or` branch of equalities
 * (instance, company), each with the plain equalities. Ranges and other `$or`s (cursor, stuck
 * false) filter what the index reads.
 */
function branchesOf(shape: Shape): string[][] {
  const clauses = transferClauses(shape.query, { ...clock, after: shape.after }).map(
    (clause) => clause.filter,
  );
  const plain = clauses.flatMap((filter) => equalityField(filter) ?? []);
  let branches: string[][] = [plain];
  for (const filter of clauses) {
    const alternatives = (filter.$or as Filter<TransferDocument>[] | undefined)?.map(equalityField);
    if (alternatives === undefined || alternatives.some((field) => field === undefined)) continue;
    branches = branches.flatMap((branch) => alternatives.map((field) => [...branch, field as string]));
  }
  return branches;
}

/** An index reading the branch's matches in the list's order: `{<equality>: 1, ...order}`, or the order alone. */
function indexFor(equalities: readonly string[]): string | undefined {
  const wanted =
    equalities.length === 0 ? [ORDER] : equalities.map((field) => [[field, 1] as [string, number], ...ORDER]);
  return TRANSFER_INDEXES.find((index) =>
    wanted.some((key) => JSON.stringify(Object.entries(index.key)) === JSON.stringify(key)),
  )?.name;
}

describe('the indexes of the list', () => {
  const all = shapes();

  it('cover the list’s every filter (derived from its query schema)', () => {
    const names = new Set(all.flatMap((shape) => Object.keys(shape.query)));
    for (const name of Object.keys(ListTransfersQuery.properties)) {
      if (!NOT_INDEXED.has(name)) expect(names, name).toContain(name);
    }
  });

  it.each(all.map((shape) => [shape.label, shape] as const))(
    '%s: every branch has an index with its equality field, then exactly the list’s sort',
    (_label, shape) => {
      const branches = branchesOf(shape);
      expect(branches.length).toBeGreaterThan(0);
      for (const branch of branches)
        expect(indexFor(branch), `branch ${branch.join(', ') || '(none)'}`).toBeDefined();
    },
  );

  it('serves instance and company branch by branch, each field its own index', () => {
    const instance = branchesOf({ label: 'instance', query: { instance: 'erp-a' } });
    expect(instance).toEqual([['instance_a'], ['instance_b']]);
    expect(instance.map(indexFor)).toEqual(['instance_a_created_id', 'instance_b_created_id']);
    expect(branchesOf({ label: 'company', query: { company: 'Acme' } }).map(indexFor)).toEqual([
      'company_a_created_id',
      'company_b_created_id',
      'company_b_customer_in_a_created_id',
      'company_a_supplier_in_b_created_id',
    ]);
  });

  it('has the stuck filter’s index: the status, then the time it is compared with', () => {
    const [stuck] = transferClauses({ stuck: 'true' }, clock).slice(1);
    expect(Object.keys(stuck?.filter ?? {})).toEqual(['status', 'updated_at']);
    expect(TRANSFER_INDEXES.find((index) => index.name === 'status_updated')?.key).toEqual({
      status: 1,
      updated_at: 1,
    });
  });

  it('names every index by its keys', () => {
    for (const index of TRANSFER_INDEXES) {
      const [first] = Object.keys(index.key);
      if (index.name.endsWith('_created_id') && first !== undefined)
        expect(index.name).toBe(`${first}_created_id`);
    }
    expect(new Set(TRANSFER_INDEXES.map((index) => index.name)).size).toBe(TRANSFER_INDEXES.length);
  });
});
