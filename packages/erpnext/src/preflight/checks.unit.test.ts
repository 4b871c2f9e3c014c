import { describe, expect, it } from 'vitest';
import { planTransfer } from '../test-support/preflight-sites.js';
import {
  checkFiscalYear,
  checkMarkerFields,
  checkPriceList,
  checkStockSettings,
  checkWarehouse,
  choosePriceList,
  ProblemList,
} from './checks.js';
import { checkSerials, collision, serialPositions } from './serials.js';
import { byName, uniqueNames } from './site-reader.js';

const TODAY = '2026-05-04';
const codes = (list: ProblemList) => list.problems.map((problem) => problem.check);

describe('serial collisions, in the order a receipt checks them', () => {
  it('refuses in stock first, then another item, then delivered or consumed unless allowed', () => {
    expect(collision({ status: 'Active', warehouse: 'Stores - CA', item_code: 'X' }, 'PIN-001', true)).toBe(
      'serial_in_stock',
    );
    expect(collision({ status: 'Delivered', item_code: 'SIM-001' }, 'PIN-001', true)).toBe(
      'serial_other_item',
    );
    expect(collision({ status: 'Delivered', item_code: 'pin-001' }, 'PIN-001', false)).toBe(
      'serial_delivered',
    );
    expect(collision({ status: 'Consumed', item_code: 'PIN-001' }, 'PIN-001', false)).toBe(
      'serial_delivered',
    );
    expect(collision({ status: 'Delivered', item_code: 'PIN-001' }, 'PIN-001', true)).toBeUndefined();
    expect(collision({ status: 'Inactive', item_code: 'PIN-001' }, 'PIN-001', false)).toBeUndefined();
    expect(collision({ status: 'Active', item_code: 'PIN-001' }, 'PIN-001', false)).toBeUndefined();
  });

  it('finds the request paths of serials whatever case ERPNext answers them in', () => {
    const manifest = planTransfer(2);
    const list = new ProblemList('b', 'erp-b');
    const serial = manifest.items[1]?.serials[1] ?? '';
    checkSerials(
      list,
      manifest,
      serialPositions(manifest),
      [{ name: serial.toLowerCase(), status: 'Active', warehouse: 'W' }],
      false,
    );
    expect(list.problems).toMatchObject([{ check: 'serial_in_stock', path: 'items[1].serials' }]);
    expect(list.problems[0]?.message).toContain('items[1].serials[1]');
    expect(list.problems[0]?.message).not.toContain(serial);
  });
});

describe('settings', () => {
  it('blocks a freeze on or after today, and only an explicit 0 for serial numbers', () => {
    const frozen = (upto: string | undefined, more: Record<string, unknown> = {}) => {
      const list = new ProblemList('a', 'erp-a');
      checkStockSettings(list, { name: 'Stock Settings', stock_frozen_upto: upto, ...more }, TODAY);
      return codes(list);
    };
    expect(frozen(TODAY)).toEqual(['stock_frozen']);
    expect(frozen('2026-05-03')).toEqual([]);
    expect(frozen(undefined)).toEqual([]);
    expect(frozen(undefined, { enable_serial_and_batch_no_for_item: 0 })).toEqual([
      'serial_setting_disabled',
    ]);
  });

  it('takes the customer’s price list first, then Selling Settings’', () => {
    const settings = { name: 'Selling Settings', selling_price_list: 'Standard Selling' };
    expect(choosePriceList({ default_price_list: 'Mayorista' }, true, settings)?.name).toBe('Mayorista');
    expect(choosePriceList({ name: 'Compania B' }, true, settings)?.name).toBe('Standard Selling');
    expect(choosePriceList(undefined, false, settings)).toBeUndefined();
  });

  it('says to check the Customer Group when no price list resolves (preflight cannot see it)', () => {
    const list = new ProblemList('a', 'erp-a');
    expect(checkPriceList(list, 'Compania B', undefined, true, undefined, 'company_b_customer_name')).toBe(
      undefined,
    );
    expect(list.problems).toHaveLength(1);
    const [problem] = list.problems;
    expect(problem).toMatchObject({ check: 'price_list_missing', path: 'company_b_customer_name' });
    expect(problem?.message).toContain('No selling price list resolves for Customer "Compania B"');
    expect(problem?.message).toContain("Check the customer's Customer Group too");
    expect(problem?.message).toContain('may be a false alarm');
  });

  it('wants an enabled Fiscal Year covering today', () => {
    const list = new ProblemList('a', 'erp-a');
    checkFiscalYear(
      list,
      [{ name: '2026', year_start_date: '2026-01-01', year_end_date: '2026-12-31', disabled: 1 }],
      TODAY,
    );
    expect(codes(list)).toEqual(['fiscal_year_missing']);
  });
});

describe('master data', () => {
  it('compares warehouse and company names as ERPNext does', () => {
    const list = new ProblemList('a', 'erp-a');
    const rows = byName([{ name: 'Stores - CA', company: 'COMPANIA A', is_group: 0, disabled: 0 }]);
    expect(checkWarehouse(list, rows, 'stores - ca', 'company_a_warehouse', 'Compania A')).toBeDefined();
    expect(list.problems).toEqual([]);
    expect(uniqueNames(['PIN-1', 'pin-1', '', 'PIN-2'])).toEqual(['PIN-1', 'PIN-2']);
  });

  it('finds the marker field per doctype, and wants it unique', () => {
    const list = new ProblemList('a', 'erp-a');
    checkMarkerFields(
      list,
      [{ name: 'Purchase Order-custom_m', dt: 'Purchase Order', fieldname: 'custom_m', unique: 0 }],
      ['Purchase Order', 'Delivery Note'],
      'custom_m',
    );
    expect(codes(list)).toEqual(['marker_field_not_unique', 'marker_field_missing']);
  });
});
