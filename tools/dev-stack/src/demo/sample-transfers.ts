import { type TransferRequest, validateTransferRequest } from '@interco/contracts';
import { DEMO_COMPANY_B, DEMO_TRANSFER_PARTIES as PARTIES } from '@interco/erpnext-sim';

/**
 * The demo's three sample transfers between the simulator's demo sites. Every run has its own id,
 * in the serials, the references and the master data it adds, so the demo can run again and again
 * on the same stack (a serial moves once; the sites keep what earlier runs made).
 */

export type SampleKey = 'completes' | 'fixed' | 'cancelled';

/** Master data the demo adds to a site through the simulator's inspection API (POST /__sim/records). */
export interface MasterDataFix {
  site: 'company-a' | 'company-b';
  /** What it adds, for a person. */
  description: string;
  records: Array<Record<string, unknown>>;
}

export interface SampleTransfer {
  key: SampleKey;
  title: string;
  /** The final state the demo expects. */
  expected: 'completed' | 'cancelled';
  body: TransferRequest;
  /** (b) only: what is missing at first, and added before the retry. */
  fix?: MasterDataFix;
}

/** A run id: the time in base 36 and two random characters, upper case (e.g. `MIB3K2QF7Z`). */
export function demoRunId(now: Date = new Date(), random: () => number = Math.random): string {
  const suffix = Math.floor(random() * 36 * 36)
    .toString(36)
    .padStart(2, '0');
  return `${now.getTime().toString(36)}${suffix}`.toUpperCase();
}

/** The serials of one item in one sample: `DEMO-<run>-<sample letter><item letter>-0001`, ... */
function serials(run: string, sample: string, item: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `DEMO-${run}-${sample}${item}-${String(i + 1).padStart(4, '0')}`,
  );
}

function item(code: string, serialList: string[], rate: string, transferRate: string) {
  return { item_code: code, qty: serialList.length, rate, transfer_rate: transferRate, serials: serialList };
}

/** Validates a body as intake does; throws naming the problems (a bug in this file). */
function validated(body: unknown): TransferRequest {
  const result = validateTransferRequest(body);
  if (!result.ok)
    throw new Error(`a demo transfer is not valid: ${JSON.stringify(result.problems.slice(0, 3))}`);
  return result.value;
}

/** The warehouse that transfer (b) names in company B, missing until the demo adds it. */
export function missingWarehouse(run: string): { warehouse_name: string; name: string } {
  const warehouseName = `Demo Receiving ${run}`;
  return { warehouse_name: warehouseName, name: `${warehouseName} - CB` };
}

/**
 * (a) completes; (b) names a warehouse company B does not have: the preflight fails it, the demo
 * adds the warehouse and retries it to completion; (c) completes, then is cancelled.
 */
export function sampleTransfers(run: string): SampleTransfer[] {
  const warehouse = missingWarehouse(run);
  return [
    {
      key: 'completes',
      title: '(a) a transfer that completes',
      expected: 'completed',
      body: validated({
        ...PARTIES,
        reference: `demo ${run} a: completes`,
        items: [
          item('PIN-001', serials(run, 'A', 'P', 3), '10.50', '12.25'),
          item('PIN-002', serials(run, 'A', 'Q', 2), '8.00', '9.40'),
        ],
      }),
    },
    {
      key: 'fixed',
      title: '(b) a transfer that fails on master data, fixed and retried',
      expected: 'completed',
      body: validated({
        ...PARTIES,
        company_b_warehouse: warehouse.name,
        reference: `demo ${run} b: fixed and retried`,
        items: [item('SIM-001', serials(run, 'B', 'S', 2), '4.75', '5.10')],
      }),
      fix: {
        site: 'company-b',
        description: `warehouse "${warehouse.name}" in ${DEMO_COMPANY_B} (company-b)`,
        records: [
          {
            doctype: 'Warehouse',
            warehouse_name: warehouse.warehouse_name,
            company: DEMO_COMPANY_B,
            parent_warehouse: 'All Warehouses - CB',
          },
        ],
      },
    },
    {
      key: 'cancelled',
      title: '(c) a transfer that completes, then is cancelled',
      expected: 'cancelled',
      body: validated({
        ...PARTIES,
        reference: `demo ${run} c: cancelled`,
        items: [item('PIN-002', serials(run, 'C', 'Q', 2), '8.00', '9.40')],
      }),
    },
  ];
}
