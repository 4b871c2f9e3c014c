import { typeboxValidator } from '@interco/http';
import { describe, expect, it } from 'vitest';
import { ListTransfersQuery, MAX_LIMIT, readLimit } from './list-query.schema.js';

const validate = typeboxValidator(ListTransfersQuery);

function problemPaths(query: Record<string, string>): string[] {
  const result = validate(query);
  return result.ok ? [] : result.problems.map((problem) => problem.path);
}

describe('the list query string', () => {
  it('takes every filter', () => {
    expect(
      problemPaths({
        status: 'waiting',
        step: 'pr_b',
        created_from: '2026-12-01T00:00:00Z',
        created_to: '2026-12-02T00:00:00+02:00',
        instance: 'erp-a',
        company: 'Company A',
        reference: 'PO-1',
        serial: 'SN-1',
        stuck: 'true',
        limit: '200',
        cursor: 'abc_-',
      }),
    ).toEqual([]);
  });

  it.each([
    ['status', 'done'],
    ['step', 'po_b'],
    ['created_from', 'yesterday'],
    ['created_to', '2026-12-01'],
    ['instance', 'erp a'],
    ['stuck', 'yes'],
    ['limit', '0'],
    ['limit', '201'],
    ['limit', '05'],
    ['limit', 'ten'],
    ['cursor', 'not a cursor'],
    ['sort', 'asc'],
  ])('names %s when it is %j', (name, value) => {
    expect(problemPaths({ [name]: value })).toEqual([name]);
  });

  it('reads limit, with its default', () => {
    expect(readLimit(undefined, MAX_LIMIT, 50)).toBe(50);
    expect(readLimit('200', MAX_LIMIT, 50)).toBe(200);
    expect(readLimit('201', MAX_LIMIT, 50)).toBeUndefined();
  });
});
