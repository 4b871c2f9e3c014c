import { describe, expect, it } from 'vitest';
import { listMethodBody, listResourcePath } from './list-request.js';

describe('list requests', () => {
  it('GET path: doctype percent-encoded, JSON arguments percent-encoded', () => {
    expect(listResourcePath('Purchase Order', {})).toBe('/api/resource/Purchase%20Order');
    const path = listResourcePath('Serial No', {
      fields: ['name', 'status'],
      filters: [['name', 'in', ['A/1', 'B&2']]],
      orFilters: { status: 'Active' },
      orderBy: 'name asc',
      limitStart: 20,
      limitPageLength: 0,
    });
    const url = new URL(`http://x${path}`);
    expect(url.pathname).toBe('/api/resource/Serial%20No');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      fields: '["name","status"]',
      filters: '[["name","in",["A/1","B&2"]]]',
      or_filters: '{"status":"Active"}',
      order_by: 'name asc',
      limit_start: '20',
      limit_page_length: '0',
    });
    expect(path).not.toContain(' ');
  });

  it("frappe.client.get_list's body carries the same arguments", () => {
    expect(
      listMethodBody('Serial No', { fields: ['name'], filters: { status: 'Active' }, limitPageLength: 5 }),
    ).toEqual({
      doctype: 'Serial No',
      fields: ['name'],
      filters: { status: 'Active' },
      limit_page_length: 5,
    });
  });
});
