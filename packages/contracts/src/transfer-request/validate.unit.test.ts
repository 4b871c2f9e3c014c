import { describe, expect, it } from 'vitest';
import { planRequest, requestWithSerials } from './fixtures/requests.js';
import { createTransferRequestValidator, validateTransferRequest } from './validate.js';

function problemsOf(body: unknown, validate = validateTransferRequest) {
  const result = validate(body);
  if (result.ok) throw new Error('expected problems, the request passed');
  return result.problems;
}

/** The plan's request with its first item changed. */
function withItem(item: Record<string, unknown>) {
  const body = planRequest();
  body.items = [{ ...body.items[0], ...item }];
  return body;
}

describe('the plan example', () => {
  it('passes and comes out normalized', () => {
    const result = validateTransferRequest(planRequest());
    expect(result).toEqual({
      ok: true,
      value: {
        company_a_instance_id: '1',
        company_b_instance_id: '2',
        supplier: 'Proveedor de Pines SA',
        company_a_name: 'Compania A',
        company_b_customer_name: 'Compania B',
        company_a_supplier_name: 'Compania A',
        company_a_warehouse: 'Stores - CA',
        company_b_warehouse: 'Stores - CB',
        items: [
          {
            item_code: 'PIN-001',
            qty: 2,
            rate: '10.50',
            transfer_rate: '10.50',
            serials: ['SN-0001', 'SN-0002'],
          },
        ],
      },
    });
  });

  it('takes the optional fields a real user needs', () => {
    const body = {
      ...withItem({ transfer_rate: 12 }),
      company_b_name: ' Compania B SA ',
      reference: 'ORD-77',
      schedule_date: '2026-12-01',
    };
    const result = validateTransferRequest(body);
    expect(result.ok && result.value).toMatchObject({
      company_b_name: 'Compania B SA',
      reference: 'ORD-77',
      schedule_date: '2026-12-01',
      items: [{ rate: '10.50', transfer_rate: '12.00' }],
    });
  });
});

describe('instance ids', () => {
  it('turns whole numbers into strings and keeps string ids', () => {
    const result = validateTransferRequest({
      ...planRequest(),
      company_a_instance_id: 7,
      company_b_instance_id: 'erp-b',
    });
    expect(result.ok && [result.value.company_a_instance_id, result.value.company_b_instance_id]).toEqual([
      '7',
      'erp-b',
    ]);
  });

  it.each([
    [1.5, 'must be an instance id (a string or a whole number)'],
    [true, 'must be an instance id (a string or a whole number)'],
    ['', 'must be 1 to 64 letters, digits, "_" or "-", starting with a letter or digit'],
    ['erp.b', 'must be 1 to 64 letters, digits, "_" or "-", starting with a letter or digit'],
    [-3, 'must be 1 to 64 letters, digits, "_" or "-", starting with a letter or digit'],
    ['x'.repeat(65), 'must be 1 to 64 letters, digits, "_" or "-", starting with a letter or digit'],
  ])('rejects %j', (value, message) => {
    expect(problemsOf({ ...planRequest(), company_b_instance_id: value })).toEqual([
      { path: 'company_b_instance_id', message },
    ]);
  });
});

describe('text fields', () => {
  it.each([
    'supplier',
    'company_a_name',
    'company_b_customer_name',
    'company_a_supplier_name',
    'company_a_warehouse',
    'company_b_warehouse',
  ])('%s is required, non-empty and at most 140 characters', (field) => {
    const { [field]: _, ...without } = planRequest();
    expect(problemsOf(without)).toEqual([{ path: field, message: 'is required' }]);
    expect(problemsOf({ ...planRequest(), [field]: '   ' })).toEqual([
      { path: field, message: 'must not be empty' },
    ]);
    expect(problemsOf({ ...planRequest(), [field]: 'x'.repeat(141) })).toEqual([
      { path: field, message: 'must be at most 140 characters (it has 141)' },
    ]);
    expect(problemsOf({ ...planRequest(), [field]: 42 })).toEqual([
      { path: field, message: 'must be a string' },
    ]);
    const ok = validateTransferRequest({ ...planRequest(), [field]: `  ${'x'.repeat(140)}  ` });
    expect(ok.ok && ok.value[field as 'supplier']).toBe('x'.repeat(140));
  });

  it('checks the optional text fields the same way', () => {
    expect(problemsOf({ ...planRequest(), reference: 'r'.repeat(141), company_b_name: '' })).toEqual([
      { path: 'company_b_name', message: 'must not be empty' },
      { path: 'reference', message: 'must be at most 140 characters (it has 141)' },
    ]);
  });

  it('item_code follows the text rules', () => {
    expect(problemsOf(withItem({ item_code: ' ' }))).toEqual([
      { path: 'items[0].item_code', message: 'must not be empty' },
    ]);
  });
});

describe('schedule_date', () => {
  it.each([
    ['2026-13-01', 'is not a calendar date (2026-13-01)'],
    ['2026-02-29', 'is not a calendar date (2026-02-29)'],
    ['01/12/2026', 'must be a date written YYYY-MM-DD'],
    ['2026-12-01T00:00:00Z', 'must be a date written YYYY-MM-DD'],
  ])('rejects %s', (value, message) => {
    expect(problemsOf({ ...planRequest(), schedule_date: value })).toEqual([
      { path: 'schedule_date', message },
    ]);
  });

  it('accepts a leap day', () => {
    expect(validateTransferRequest({ ...planRequest(), schedule_date: '2028-02-29' }).ok).toBe(true);
  });
});

describe('items', () => {
  it('needs at least one item', () => {
    expect(problemsOf({ ...planRequest(), items: [] })).toEqual([
      { path: 'items', message: 'must be a list of at least one item' },
    ]);
    expect(problemsOf({ ...planRequest(), items: {} })).toEqual([
      { path: 'items', message: 'must be a list of at least one item' },
    ]);
  });

  it('takes each item_code once, compared case-insensitively', () => {
    const body = planRequest();
    body.items = [
      { item_code: 'PIN-001', qty: 1, rate: 1, serials: ['A1'] },
      { item_code: 'SIM-9', qty: 1, rate: 1, serials: ['A2'] },
      { item_code: 'pin-001', qty: 1, rate: 1, serials: ['A3'] },
    ];
    expect(problemsOf(body)).toEqual([
      {
        path: 'items[2].item_code',
        message:
          'repeats items[0].item_code (item codes compare case-insensitively, as in ERPNext): list each item once, with all its serials',
      },
    ]);
  });

  it('rejects an item that is not an object', () => {
    expect(problemsOf({ ...planRequest(), items: ['PIN-001'] })).toEqual([
      { path: 'items[0]', message: 'must be an object' },
    ]);
  });
});

describe('qty', () => {
  it.each([
    [0, 'must be at least 1'],
    [-2, 'must be at least 1'],
    [1.5, 'must be a whole number'],
    ['2', 'must be a whole number'],
  ])('rejects %j', (qty, message) => {
    expect(problemsOf(withItem({ qty }))).toEqual([{ path: 'items[0].qty', message }]);
  });

  it('must equal the number of serials', () => {
    expect(problemsOf(withItem({ qty: 3 }))).toEqual([
      { path: 'items[0].serials', message: 'has 2 serials but qty is 3: give one serial per unit' },
    ]);
    expect(problemsOf(withItem({ qty: 2, serials: ['A'] }))).toEqual([
      { path: 'items[0].serials', message: 'has 1 serial but qty is 2: give one serial per unit' },
    ]);
  });
});

describe('rate and transfer_rate', () => {
  it.each([
    [10, '10.00'],
    [10.5, '10.50'],
    ['10.5', '10.50'],
    ['0010.10', '10.10'],
    [' 7.25 ', '7.25'],
    [0, '0.00'],
    ['0.00', '0.00'],
    ['12.500', '12.50'],
    ['999999999999.99', '999999999999.99'],
  ])('accepts %j as %s', (rate, canonical) => {
    const result = validateTransferRequest(withItem({ rate }));
    expect(result.ok && result.value.items[0]?.rate).toBe(canonical);
  });

  it.each([
    [-1, 'must not be negative'],
    ['-0.01', 'must not be negative'],
    [10.123, 'must have at most 2 decimal places'],
    ['10.001', 'must have at most 2 decimal places'],
    ['1e3', 'must be a plain decimal number such as 10 or 10.50'],
    [1e21, 'must be a plain decimal number such as 10 or 10.50'],
    ['ten', 'must be a plain decimal number such as 10 or 10.50'],
    ['', 'must be a plain decimal number such as 10 or 10.50'],
    ['1000000000000', 'must have at most 12 digits before the decimal point'],
    [null, 'must be an amount, as a number or a decimal string such as "10.50"'],
  ])('rejects %j', (rate, message) => {
    expect(problemsOf(withItem({ rate }))).toEqual([{ path: 'items[0].rate', message }]);
    expect(problemsOf(withItem({ transfer_rate: rate }))).toEqual([
      { path: 'items[0].transfer_rate', message },
    ]);
  });
});

describe('serials', () => {
  it('are trimmed', () => {
    const result = validateTransferRequest(withItem({ serials: ['  SN-1\t', '\nSN-2 '] }));
    expect(result.ok && result.value.items[0]?.serials).toEqual(['SN-1', 'SN-2']);
  });

  it.each([
    ['   ', 'must not be empty'],
    ['S'.repeat(141), 'must be at most 140 characters (it has 141)'],
    ['SN-1,SN-2', 'must not contain a comma (ERPNext splits serial numbers on commas)'],
    ['SN-1\nSN-2', 'must not contain a line break (ERPNext splits serial numbers on line breaks)'],
    ['SN-1\rSN-2', 'must not contain a line break (ERPNext splits serial numbers on line breaks)'],
    ['SN-1\u2028SN-2', 'must not contain a line break (ERPNext splits serial numbers on line breaks)'],
    ['SN\u00001', 'must not contain control characters'],
    ['SN\t1', 'must not contain control characters'],
  ])('reject %j', (serial, message) => {
    expect(problemsOf(withItem({ serials: ['SN-OK', serial] }))).toEqual([
      { path: 'items[0].serials[1]', message },
    ]);
  });

  it('must be strings in a list', () => {
    expect(problemsOf(withItem({ serials: ['SN-1', 2] }))).toEqual([
      { path: 'items[0].serials[1]', message: 'must be a string' },
    ]);
    expect(problemsOf(withItem({ serials: 'SN-1,SN-2' }))).toEqual([
      { path: 'items[0].serials', message: 'must be a list of serial numbers (strings)' },
    ]);
  });

  it('are unique across the whole transfer, case-insensitively, naming the first one', () => {
    const body = planRequest();
    body.items = [
      { item_code: 'PIN-001', qty: 2, rate: 1, serials: ['SN-1', 'SN-2'] },
      { item_code: 'PIN-002', qty: 2, rate: 1, serials: ['sn-2', ' SN-1 '] },
    ];
    expect(problemsOf(body)).toEqual([
      {
        path: 'items[1].serials[0]',
        message: 'repeats items[0].serials[1] (serial numbers compare case-insensitively, as in ERPNext)',
      },
      {
        path: 'items[1].serials[1]',
        message: 'repeats items[0].serials[0] (serial numbers compare case-insensitively, as in ERPNext)',
      },
    ]);
  });

  it('compare accent-insensitively too, as ERPNext’s utf8mb4_unicode_ci collation does', () => {
    expect(problemsOf(withItem({ serials: ['PIN-É1', 'pin-e1'] }))).toEqual([
      {
        path: 'items[0].serials[1]',
        message: 'repeats items[0].serials[0] (serial numbers compare case-insensitively, as in ERPNext)',
      },
    ]);
  });

  it('are capped per transfer (default 100,000, configurable)', () => {
    const validate = createTransferRequestValidator({ maxSerials: 5 });
    expect(validate(requestWithSerials(5, 2)).ok).toBe(true);
    expect(problemsOf(requestWithSerials(6, 2), validate)).toEqual([
      {
        path: 'items',
        message: 'carry 6 serials in all; a transfer takes at most 5: split it into several transfers',
      },
    ]);
    expect(validateTransferRequest(requestWithSerials(100_000, 3)).ok).toBe(true);
    expect(problemsOf(requestWithSerials(100_001, 3))).toEqual([
      {
        path: 'items',
        message:
          'carry 100,001 serials in all; a transfer takes at most 100,000: split it into several transfers',
      },
    ]);
  });
});

describe('the item cap', () => {
  it('is 1,000 items by default, configurable, reported at items', () => {
    const validate = createTransferRequestValidator({ maxItems: 2 });
    expect(validate(requestWithSerials(6, 2)).ok).toBe(true);
    expect(problemsOf(requestWithSerials(6, 3), validate)).toEqual([
      { path: 'items', message: 'are 3 items; a transfer takes at most 2: split it into several transfers' },
    ]);
    expect(validateTransferRequest(requestWithSerials(1000, 1000)).ok).toBe(true);
    expect(problemsOf(requestWithSerials(1001, 1001))).toEqual([
      {
        path: 'items',
        message: 'are 1,001 items; a transfer takes at most 1,000: split it into several transfers',
      },
    ]);
  });

  it('shares the path items with the serial cap: both said in one problem', () => {
    const validate = createTransferRequestValidator({ maxItems: 2, maxSerials: 5 });
    expect(problemsOf(requestWithSerials(6, 3), validate)).toEqual([
      {
        path: 'items',
        message:
          'are 3 items; a transfer takes at most 2, and carry 6 serials in all; a transfer takes at most 5: split it into several transfers',
      },
    ]);
  });
});

describe('the whole body', () => {
  it('must be a JSON object', () => {
    for (const body of [null, 'x', 3, [planRequest()]]) {
      expect(problemsOf(body)).toEqual([{ path: '', message: 'the body must be a JSON object' }]);
    }
  });

  it('rejects unknown fields, at the top and in items', () => {
    expect(problemsOf({ ...withItem({ colour: 'red' }), execution_id: 'x' })).toEqual([
      { path: 'items[0].colour', message: 'is not a known field' },
      { path: 'execution_id', message: 'is not a known field' },
    ]);
  });

  it('lists every problem at once, in the order of the request', () => {
    const body = {
      ...planRequest(),
      supplier: '',
      company_a_instance_id: 2.5,
      extra: 1,
      items: [
        { item_code: 'A', qty: 2, rate: '1.001', serials: ['X,1', 'y'] },
        { item_code: 'a', qty: 0, rate: 1, serials: ['Y'] },
      ],
    };
    expect(problemsOf(body).map((p) => p.path)).toEqual([
      'company_a_instance_id',
      'supplier',
      'items[0].rate',
      'items[0].serials[0]',
      'items[1].item_code',
      'items[1].qty',
      'items[1].serials[0]',
      'extra',
    ]);
  });

  it('lists at most maxProblems and says how many more there are', () => {
    const body = requestWithSerials(50);
    body.items[0]?.serials.fill('A,B');
    const problems = problemsOf(body, createTransferRequestValidator({ maxProblems: 10 }));
    expect(problems).toHaveLength(11);
    expect(problems[0]).toEqual({ path: 'items[0].serials[0]', message: expect.stringContaining('comma') });
    expect(problems[10]).toEqual({ path: '', message: '40 more problems not listed (fix these first)' });
  });
});
