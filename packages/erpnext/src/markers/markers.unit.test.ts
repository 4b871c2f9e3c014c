import { describe, expect, it } from 'vitest';
import { contentDifferences } from './insert-once.js';
import { checkMarker } from './lookup.js';
import { MARKER_FIELDNAME, MAX_MARKER_LENGTH, marker } from './marker.js';
import { MarkerError } from './marker-error.js';
import { markerCustomField, markerCustomFieldName, markerFieldProblems } from './prepare.js';

describe('the marker Custom Field', () => {
  it('is a unique, indexed, read-only, no-copy Data field named custom_interco_marker', () => {
    expect(markerCustomField('Purchase Receipt')).toEqual({
      dt: 'Purchase Receipt',
      fieldname: MARKER_FIELDNAME,
      label: 'Interco Marker',
      fieldtype: 'Data',
      unique: 1,
      search_index: 1,
      read_only: 1,
      no_copy: 1,
      allow_on_submit: 0,
      insert_after: 'supplier',
    });
    expect(markerCustomFieldName('Delivery Note')).toBe('Delivery Note-custom_interco_marker');
  });

  it('is judged on type, Unique, Read Only and No Copy (absent checks are 0)', () => {
    expect(markerFieldProblems(markerCustomField('Purchase Order'))).toEqual([]);
    expect(markerFieldProblems({ fieldtype: 'Data', unique: 1, read_only: 1, no_copy: 1 })).toEqual([]);
    expect(markerFieldProblems({ fieldtype: 'Small Text', read_only: 1 })).toEqual([
      'its type is Small Text, not Data',
      'it is not Unique',
      'it is not No Copy',
    ]);
  });
});

describe('markers', () => {
  it('are <transfer>:<step>:<chunk>, never blank, at most 140 characters', () => {
    expect(marker('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B', 'pr_b', 12)).toBe('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B:pr_b:12');
    expect(() => checkMarker('tr_1:po_a:0')).not.toThrow();
    expect(() => checkMarker('')).toThrow(RangeError);
    expect(() => checkMarker('   ')).toThrow(RangeError);
    expect(() => checkMarker('x'.repeat(MAX_MARKER_LENGTH + 1))).toThrow(RangeError);
  });
});

describe('MarkerError', () => {
  it('reads like a permanent ErpnextError', () => {
    const error = new MarkerError({
      reason: 'duplicate_found',
      instanceId: 'erp-a',
      operation: 'insert once Purchase Order',
      doctype: 'Purchase Order',
      marker: 'tr_1:po_a:0',
      documents: [
        { name: 'PUR-ORD-2026-00001', docstatus: 1 },
        { name: 'PUR-ORD-2026-00002', docstatus: 0 },
      ],
      messages: ['Two documents.', 'A person must choose.'],
    });
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.kind, error.reason, error.retryable, error.outcomeUnknown]).toEqual([
      'MarkerError',
      'permanent',
      'duplicate_found',
      false,
      false,
    ]);
    expect(error.describe()).toBe(
      'erp-a: insert once Purchase Order failed (permanent, duplicate_found): Two documents. A person must choose.',
    );
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'MarkerError',
      kind: 'permanent',
      reason: 'duplicate_found',
      instanceId: 'erp-a',
      operation: 'insert once Purchase Order',
      doctype: 'Purchase Order',
      marker: 'tr_1:po_a:0',
      documents: [
        { name: 'PUR-ORD-2026-00001', docstatus: 1 },
        { name: 'PUR-ORD-2026-00002', docstatus: 0 },
      ],
      messages: ['Two documents.', 'A person must choose.'],
      isUniqueViolation: false,
      outcomeUnknown: false,
    });
  });
});

describe('contentDifferences', () => {
  const doc = (items: unknown) => ({ name: 'PUR-ORD-2026-00001', items });

  it('is empty when each item carries the expected total, codes compared as MariaDB does', () => {
    const rows = [
      { item_code: 'PIN-001', qty: 400, serial_no: 'A-1' },
      { item_code: 'Pïn-002', qty: 3 },
      { item_code: 'PIN-001', qty: 100 },
    ];
    expect(
      contentDifferences(
        {
          items: [
            { item_code: 'pin-001', qty: 500 },
            { item_code: 'PIN-002', qty: 3 },
          ],
        },
        doc(rows),
      ),
    ).toEqual([]);
    // several expected entries of one code add up; a zero expectation needs no row
    expect(
      contentDifferences(
        {
          items: [
            { item_code: 'PIN-001', qty: 250 },
            { item_code: 'PIN-001', qty: 250 },
            { item_code: 'PIN-002', qty: 3 },
            { item_code: 'PIN-009', qty: 0 },
          ],
        },
        doc(rows),
      ),
    ).toEqual([]);
  });

  it('names each item that differs, with counts only', () => {
    const rows = [
      { item_code: 'PIN-001', qty: 500, serial_no: 'SECRET-1\nSECRET-2' },
      { item_code: 'SIM-001', qty: 2 },
    ];
    const found = contentDifferences(
      {
        items: [
          { item_code: 'PIN-001', qty: 700 },
          { item_code: 'PIN-002', qty: 300 },
        ],
      },
      doc(rows),
    );
    expect(found).toEqual([
      'PIN-001: 700 expected, 500 carried',
      'PIN-002: 300 expected, none carried',
      'SIM-001: none expected, 2 carried',
    ]);
    expect(found.join(' ')).not.toContain('SECRET');
  });

  it('counts a row without a usable qty, or no rows at all, as a difference', () => {
    expect(
      contentDifferences({ items: [{ item_code: 'PIN-001', qty: 1 }] }, doc([{ item_code: 'PIN-001' }])),
    ).toEqual(['PIN-001: 1 expected, an unreadable quantity carried']);
    expect(contentDifferences({ items: [{ item_code: 'PIN-001', qty: 1 }] }, doc(undefined))).toEqual([
      'PIN-001: 1 expected, none carried',
    ]);
  });
});
