import { describe, expect, it } from 'vitest';
import { FrappeError } from './errors.js';
import {
  type Column,
  canonicalDatetime,
  canonicalTime,
  cint,
  collationKey,
  compileCondition,
  cstr,
  flt,
  normalizeFilters,
  type Operator,
  pyRepr,
  sqlNumber,
} from './filters.js';

const TODAY = '2026-01-31';

function test(column: Column, operator: Operator, value: unknown): (stored: unknown) => boolean {
  const condition = compileCondition(column, operator, value, TODAY);
  if ('sqlError' in condition) throw new Error(condition.sqlError.message);
  return condition.test;
}

const text: Column = { name: 'status', kind: 'string', fieldtype: 'Select' };
const link: Column = { name: 'supplier', kind: 'string', fieldtype: 'Link' };
const float: Column = { name: 'qty', kind: 'float', fieldtype: 'Float' };
const time: Column = { name: 'posting_time', kind: 'time', fieldtype: 'Time' };
const docstatus: Column = { name: 'docstatus', kind: 'int', fieldtype: undefined };

describe('Python helpers', () => {
  it('cint and flt convert as frappe.utils does', () => {
    expect([
      cint('5'),
      cint(' 7.9 '),
      cint('-3.2'),
      cint('abc'),
      cint(null),
      cint(true),
      cint('1e2'),
    ]).toEqual([5, 7, -3, 0, 0, 1, 100]);
    expect([flt('1,000.5'), flt('x'), flt(null), flt(2)]).toEqual([1000.5, 0, 0, 2]);
  });

  it('cstr and pyRepr write values as Python does', () => {
    expect([cstr(null), cstr('a'), cstr(true), cstr(3)]).toEqual(['', 'a', 'True', '3']);
    expect(pyRepr(['a', 1, null, false, "it's", { k: [] }])).toBe(`['a', 1, None, False, "it's", {'k': []}]`);
  });

  it('converts text to numbers and dates as MariaDB reads them', () => {
    expect([sqlNumber('12abc'), sqlNumber('abc'), sqlNumber(' -1.5e1x')]).toEqual([12, 0, -15]);
    expect(canonicalDatetime('2026-1-5')).toBe('2026-01-05 00:00:00.000000');
    expect(canonicalDatetime('2026-01-05T10:20')).toBe('2026-01-05 10:20:00.000000');
    expect(canonicalDatetime('soon')).toBeUndefined();
    expect(canonicalTime('9:05:01.5')).toBe('09:05:01.500000');
  });

  it('identifies strings as utf8mb4_unicode_ci does', () => {
    expect(collationKey('Straße  ')).toBe(collationKey('STRASSE'));
    expect(collationKey(' a')).not.toBe(collationKey('a'));
  });
});

describe('normalizeFilters', () => {
  it('reads every documented form', () => {
    expect(
      normalizeFilters([
        ['status', '=', 'Draft'],
        ['Purchase Order Item', 'item_code', 'in', 'A,B'],
        ['Purchase Order', 'name', 'like', 'P%', 'ignored'],
      ]),
    ).toEqual([
      { doctype: '', field: 'status', operator: '=', value: 'Draft' },
      { doctype: 'Purchase Order Item', field: 'item_code', operator: 'in', value: 'A,B' },
      { doctype: 'Purchase Order', field: 'name', operator: 'like', value: 'P%' },
    ]);
    expect(normalizeFilters({ a: 1, b: ['>', 2] })).toEqual([
      { doctype: '', field: 'a', operator: '=', value: 1 },
      { doctype: '', field: 'b', operator: '>', value: 2 },
    ]);
    expect(normalizeFilters(null)).toEqual([]);
    expect(normalizeFilters([])).toEqual([]);
  });

  it('crashes like Python on filters that are neither list nor dict', () => {
    const error = (() => {
      try {
        normalizeFilters(5);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FrappeError);
    expect((error as FrappeError).httpStatus).toBe(500);
    expect((error as FrappeError).message).toBe("'int' object is not iterable");
  });
});

describe('compileCondition (db_query.prepare_filter_condition + MariaDB)', () => {
  it('= with a value is not wrapped in ifnull: NULL fails', () => {
    expect(test(link, '=', 'Acme')(null)).toBe(false);
    expect(test(link, '=', 'ACME ')('acme')).toBe(true);
  });

  it('!= and < are wrapped: NULL reads as ""', () => {
    expect(test(link, '!=', 'Acme')(null)).toBe(true);
    expect(test(link, '<', 'b')(null)).toBe(true);
    expect(test(link, '>', '')(null)).toBe(false);
  });

  it('a number against a text column compares numerically (MariaDB casts the text)', () => {
    // {"status": null} on a Select goes through flt(): ifnull(status, '') = 0 holds for any text.
    expect(test(text, '=', null)('Draft')).toBe(true);
    expect(test(text, '=', 5)('5.0')).toBe(true);
  });

  it('not in on a Float compares ifnull(qty, "") as text, as MariaDB does', () => {
    // Frappe v15 quirk: '5.000000000' is not '5', so a row with qty 5 passes `qty not in (5)`.
    expect(test(float, 'not in', [5])(5)).toBe(true);
    expect(test(float, 'in', [5])(5)).toBe(true);
    expect(test(float, '=', '5')(5)).toBe(true);
  });

  it('docstatus != 2 keeps numbers numeric (fallback 0)', () => {
    expect(test(docstatus, '!=', 2)(1)).toBe(true);
    expect(test(docstatus, '!=', 2)(2)).toBe(false);
  });

  it('compares Time columns as times', () => {
    expect(test(time, '>', '9:30')('10:00:00')).toBe(true);
    expect(test(time, '=', '10:00')('10:00:00.000000')).toBe(true);
  });

  it('like escapes nothing but wildcards, and regex characters are literal', () => {
    expect(test(link, 'like', 'a.c')('abc')).toBe(false);
    expect(test(link, 'like', 'a.c')('A.C')).toBe(true);
    expect(test(link, 'like', '(x)%')('(X)-1')).toBe(true);
  });

  it('reports the SQL Frappe would build for `between` off dates', () => {
    const condition = compileCondition(link, 'between', ['a', 'b'], TODAY);
    expect('sqlError' in condition && condition.sqlError.code).toBe(1064);
  });
});
