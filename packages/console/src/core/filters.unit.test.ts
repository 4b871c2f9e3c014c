import { describe, expect, it } from 'vitest';
import {
  countsQuery,
  filtersFromParams,
  isFiltered,
  parseDay,
  serialFromParams,
  transfersHash,
  transfersQuery,
} from './filters.js';
import { parseHash, transferHash } from './route.js';

describe('filters', () => {
  it('go from the hash to filters and back unchanged', () => {
    const hash =
      '#/transfers?status=failed&step=po_a&instance=site-a&company=Compania+A&reference=REF+1&created_from=2026-12-01&created_to=2026-12-05&stuck=true&cursor=abc_1-Z';
    const route = parseHash(hash);
    expect(route.page).toBe('transfers');
    if (route.page !== 'transfers') return;
    expect(route.filters).toEqual({
      status: 'failed',
      step: 'po_a',
      instance: 'site-a',
      company: 'Compania A',
      created_from: '2026-12-01',
      created_to: '2026-12-05',
      reference: 'REF 1',
      stuck: true,
      cursor: 'abc_1-Z',
    });
    expect(transfersHash(route.filters)).toBe(hash);
  });

  it('never put a serial in the hash (a serial may be a PIN; the hash is in the history)', () => {
    expect(transfersHash({ status: 'failed', serial: 'PIN-123' })).toBe('#/transfers?status=failed');
    expect(filtersFromParams(new URLSearchParams('serial=PIN-123'))).toEqual({});
    expect(serialFromParams(new URLSearchParams('serial=%20PIN-123%20'))).toBe('PIN-123');
    expect(serialFromParams(new URLSearchParams('serial='))).toBeUndefined();
    expect(new URLSearchParams(transfersQuery({ serial: 'PIN-123' }, 50)).get('serial')).toBe('PIN-123');
  });

  it('drop unknown and malformed values', () => {
    const params = new URLSearchParams(
      'status=bogus&step=zz&instance=bad id&created_from=2026-02-30&created_to=yesterday&stuck=yes&cursor=a%20b&company=%20%20&other=1',
    );
    expect(filtersFromParams(params)).toEqual({});
    expect(transfersHash({})).toBe('#/transfers');
    expect(isFiltered({ cursor: 'x' })).toBe(false);
    expect(isFiltered({ status: 'waiting' })).toBe(true);
  });

  it('become the tracker query: days as local instants, the last day included, a limit', () => {
    const query = new URLSearchParams(
      transfersQuery(
        { status: 'waiting', created_from: '2026-12-01', created_to: '2026-12-05', serial: 'a&b' },
        50,
      ),
    );
    expect(query.get('status')).toBe('waiting');
    expect(query.get('serial')).toBe('a&b');
    expect(query.get('created_from')).toBe(new Date(2026, 11, 1).toISOString());
    expect(query.get('created_to')).toBe(new Date(2026, 11, 6).toISOString());
    expect(query.get('limit')).toBe('50');
    expect(query.has('stuck')).toBe(false);
  });

  it('become the counts query: the list’s filters without status, stuck, page or limit', () => {
    const query = new URLSearchParams(
      countsQuery({
        status: 'failed',
        stuck: true,
        step: 'dn_a',
        instance: 'site-a',
        company: 'Compania A',
        reference: 'REF-1',
        serial: 'SN-1',
        created_from: '2026-12-01',
        created_to: '2026-12-05',
        cursor: 'abc',
      }),
    );
    expect([...query.keys()].sort()).toEqual(
      ['company', 'created_from', 'created_to', 'instance', 'reference', 'serial', 'step'].sort(),
    );
    expect(query.get('created_from')).toBe(new Date(2026, 11, 1).toISOString());
    expect(query.get('created_to')).toBe(new Date(2026, 11, 6).toISOString());
    expect(query.get('serial')).toBe('SN-1');
    expect(countsQuery({ status: 'failed', cursor: 'abc' })).toBe('');
  });

  it('parseDay accepts real days only', () => {
    expect(parseDay('2024-02-29')?.getDate()).toBe(29);
    expect(parseDay('2026-02-29')).toBeUndefined();
    expect(parseDay('2026-1-01')).toBeUndefined();
  });
});

describe('routes', () => {
  it('name each page', () => {
    expect(parseHash('#/sign-in')).toEqual({ page: 'sign-in' });
    expect(parseHash('#/instances')).toEqual({ page: 'instances' });
    expect(parseHash('')).toEqual({ page: 'transfers', filters: {} });
    expect(parseHash('#/nowhere')).toEqual({ page: 'transfers', filters: {} });
    const id = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';
    expect(parseHash(transferHash(id))).toEqual({ page: 'transfer', id });
    expect(parseHash('#/transfers/not-an-id')).toEqual({ page: 'transfers', filters: {} });
  });
});
