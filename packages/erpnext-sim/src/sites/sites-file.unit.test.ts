import { describe, expect, it } from 'vitest';
import { demoSites } from './demo-sites.js';
import { Site } from './site.js';
import { parseRecordsBody, parseSitesFile, SitesFileError } from './sites-file.schema.js';

const user = { email: 'api@a.example', api_key: 'key-a', api_secret: 'secret-a' };

function validFile() {
  return {
    sites: [
      {
        name: 'company-a',
        port: 8100,
        users: [
          {
            ...user,
            cannot_submit: ['Purchase Receipt'],
            cannot_cancel: ['Delivery Note'],
            system_manager: false,
          },
        ],
        records: [
          {
            doctype: 'Fiscal Year',
            year: '2026',
            year_start_date: '2026-01-01',
            year_end_date: '2026-12-31',
          },
          { doctype: 'Company', company_name: 'Compania A', abbr: 'CA', default_currency: 'USD' },
          { doctype: 'Warehouse', warehouse_name: 'Stores', company: 'Compania A' },
          { doctype: 'Item', item_code: 'PIN-001', has_serial_no: 1 },
        ],
        settings: { 'Buying Settings': { po_required: 'Yes' } },
        faults: { workers: 2, rules: [{ match: { doctype: 'Purchase Receipt' }, latency_ms: 10 }] },
      },
      { name: 'company-b', users: [{ email: 'api@b.example', api_key: 'key-b', api_secret: 'secret-b' }] },
    ],
  };
}

/** The problems' "path: message" lines of a file that must fail. */
function problemsOf(value: unknown): string[] {
  try {
    parseSitesFile(value);
  } catch (error) {
    if (error instanceof SitesFileError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  throw new Error('the file passed');
}

describe('parseSitesFile', () => {
  it('turns a valid file into site setups with ports and camel-cased users', () => {
    const [a, b] = parseSitesFile(validFile());
    expect(a).toEqual({
      name: 'company-a',
      port: 8100,
      users: [
        {
          email: 'api@a.example',
          apiKey: 'key-a',
          apiSecret: 'secret-a',
          cannotSubmit: ['Purchase Receipt'],
          cannotCancel: ['Delivery Note'],
          systemManager: false,
        },
      ],
      records: validFile().sites[0]?.records,
      settings: { 'Buying Settings': { po_required: 'Yes' } },
      faults: { workers: 2, rules: [{ match: { doctype: 'Purchase Receipt' }, latency_ms: 10 }] },
    });
    expect(b).toEqual({
      name: 'company-b',
      users: [{ email: 'api@b.example', apiKey: 'key-b', apiSecret: 'secret-b' }],
    });
  });

  it('gives setups a Site loads', () => {
    const [a] = parseSitesFile(validFile());
    if (a === undefined) throw new Error('no site');
    const site = new Site(a);
    expect(site.db.committed('Warehouse', 'Stores - CA')).toBeDefined();
    expect(site.db.committed('Buying Settings', 'Buying Settings')?.po_required).toBe('Yes');
    expect(site.faults.pool.stats().size).toBe(2);
  });

  it('names the path of a missing field', () => {
    const file = validFile();
    file.sites[1] = {
      name: 'company-b',
      users: [{ email: 'api@b.example', api_secret: 's' } as typeof user],
    };
    expect(problemsOf(file)).toEqual(['sites[1].users[0].api_key: is required']);
  });

  it('lists every problem, each with its path', () => {
    const problems = problemsOf({
      sites: [
        { name: 'bad name!', port: 70000, users: [], extra: 1 },
        {
          name: 'b',
          users: [{ ...user, system_manager: 'yes' }],
          faults: { workers: -1, rules: [{ error_rates: { '500': 2 } }] },
        },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'sites[0].extra: is not a known field',
        expect.stringMatching(/^sites\[0\]\.name: must match /),
        'sites[0].port: must be at most 65535',
        'sites[0].users: must have at least 1 entry',
        'sites[1].users[0].system_manager: must be true or false',
        'sites[1].faults.workers: must be at least 0',
        'sites[1].faults.rules[0].error_rates.500: must be at most 1',
      ]),
    );
  });

  it('refuses what is not a sites file at all', () => {
    expect(problemsOf([])).toEqual([': must be a JSON object']);
    expect(problemsOf({})).toEqual(['sites: is required']);
    expect(problemsOf({ sites: [] })).toEqual(['sites: must have at least 1 entry']);
  });

  it('refuses repeated site names, ports and API keys', () => {
    const file = {
      sites: [
        { name: 'a', port: 8100, users: [user, { ...user, email: 'other@a.example' }] },
        { name: 'A', port: 8100, users: [user] },
        { name: 'c', port: 0, users: [user] },
        { name: 'd', port: 0, users: [user] },
      ],
    };
    expect(problemsOf(file)).toEqual([
      'sites[0].users[1].api_key: repeats sites[0].users[0].api_key',
      'sites[1].name: repeats sites[0].name: each site needs its own name',
      'sites[1].port: repeats sites[0].port: each site listens on its own port',
    ]);
  });

  it('checks doctypes and field names of records and settings', () => {
    const problems = problemsOf({
      sites: [
        {
          name: 'a',
          users: [user],
          records: [
            { doctype: 'Itme', item_code: 'X' },
            { doctype: 'Item', item_code: 'X', item_nmae: 'typo', custom_ok: 1 },
            { doctype: 'Buying Settings', po_required: 'Yes' },
            { doctype: 'Purchase Order', supplier: 'S', items: [{ item_code: 'X', qty: 1, quantity: 2 }] },
          ],
          settings: { 'Buying Settings': { po_requird: 'Yes' }, Company: {} },
        },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^sites\[0\]\.records\[0\]\.doctype: "Itme" is not a doctype the simulator knows \(one of: Company, /,
      ),
      'sites[0].records[1].item_nmae: is not a field of Item',
      expect.stringMatching(/^sites\[0\]\.records\[2\]\.doctype: "Buying Settings" is a single doctype/),
      'sites[0].records[3].items[0].quantity: is not a field of Purchase Order Item',
      'sites[0].settings["Buying Settings"].po_requird: is not a field of Buying Settings',
      expect.stringMatching(/^sites\[0\]\.settings\.Company: is not a single doctype/),
    ]);
  });

  it('puts the paths in the error message', () => {
    expect(() => parseSitesFile({ sites: [{ name: 'a', users: [{ ...user, api_secret: '' }] }] })).toThrow(
      'invalid sites file:\n  sites[0].users[0].api_secret: must not be empty',
    );
  });
});

describe('parseRecordsBody', () => {
  it('accepts records and settings', () => {
    expect(parseRecordsBody({ records: [{ doctype: 'Supplier', supplier_name: 'S' }] })).toEqual({
      records: [{ doctype: 'Supplier', supplier_name: 'S' }],
      settings: {},
    });
  });

  it('names bad paths', () => {
    const bad = { records: [{ supplier_name: 'S' }], other: 1 };
    expect(() => parseRecordsBody(bad)).toThrow(/^invalid records:\n/);
    expect(() => parseRecordsBody(bad)).toThrow(/\n {2}records\[0\]\.doctype: is required/);
    expect(() => parseRecordsBody(bad)).toThrow(/\n {2}other: is not a known field/);
    expect(() => parseRecordsBody({ settings: { Supplier: {} } })).toThrow(
      /settings\.Supplier: is not a single doctype/,
    );
  });
});

describe('the demo sites', () => {
  it('pass the sites file checks (known doctypes and fields only)', () => {
    const file = {
      sites: demoSites().map((setup) => ({
        name: setup.name,
        users: setup.users.map((u) => ({ email: u.email, api_key: u.apiKey, api_secret: u.apiSecret })),
        records: setup.records,
        settings: setup.settings,
      })),
    };
    expect(parseSitesFile(file).map((site) => site.name)).toEqual(['company-a', 'company-b']);
  });
});
