/**
 * One simulated ERPNext site for the client's HTTP tests: company A's master data (copied from
 * erpnext-sim's conformance setup), served by `startSimulator` on a free port with the /__sim/
 * inspection API, plus small helpers to set faults, read request counters and build configs.
 */
import {
  fiscalYearRecords,
  type RunningSite,
  type Simulator,
  type SiteSetup,
  startSimulator,
} from '@interco/erpnext-sim';
import type { InstanceConfig } from '../instances/instance-config.schema.js';

export const API_KEY = 'key-a';
export const API_SECRET = 'secret-a-7c1e9f';
export const CLERK_KEY = 'key-clerk';
export const CLERK_SECRET = 'secret-clerk-51b2';

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function companyASetup(name = 'company-a'): SiteSetup {
  return {
    name,
    users: [
      { email: 'interco@a.test', apiKey: API_KEY, apiSecret: API_SECRET },
      {
        email: 'clerk@a.test',
        apiKey: CLERK_KEY,
        apiSecret: CLERK_SECRET,
        cannotCancel: ['Purchase Order'],
        systemManager: false,
      },
    ],
    records: [
      { doctype: 'Company', company_name: 'Compania A', abbr: 'CA', default_currency: 'USD' },
      { doctype: 'Warehouse', warehouse_name: 'Stores', company: 'Compania A' },
      { doctype: 'Item', item_code: 'PIN-001', item_name: 'PIN 10', has_serial_no: 1 },
      { doctype: 'Item', item_code: 'PIN-002', item_name: 'PIN 20', has_serial_no: 1 },
      { doctype: 'Supplier', supplier_name: 'Proveedor de Pines SA' },
      { doctype: 'Price List', price_list_name: 'Standard Selling', selling: 1 },
      { doctype: 'Price List', price_list_name: 'Standard Buying', buying: 1 },
      { doctype: 'Customer', customer_name: 'Compania B', default_price_list: 'Standard Selling' },
      ...fiscalYearRecords(),
    ],
    settings: {
      'Buying Settings': { po_required: 'No', allow_multiple_items: 1 },
    },
  };
}

/** A Purchase Order body company A's site accepts. */
export function purchaseOrder(more: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    supplier: 'Proveedor de Pines SA',
    company: 'Compania A',
    schedule_date: today(),
    set_warehouse: 'Stores - CA',
    items: [{ item_code: 'PIN-001', qty: 2, rate: 10.5 }],
    ...more,
  };
}

export interface PoolStats {
  size: number;
  busy: number;
  queued: number;
  max_busy: number;
  max_queued: number;
  served: number;
}

export interface RequestStats {
  counts: Record<string, number>;
  total: number;
  pool: PoolStats;
}

/** A running simulated site and its inspection API. */
export class SimSite {
  private constructor(
    private readonly sim: Simulator,
    readonly running: RunningSite,
  ) {}

  static async start(setup: SiteSetup = companyASetup()): Promise<SimSite> {
    const sim = await startSimulator({ sites: [setup], inspection: true });
    const [running] = sim.sites;
    if (running === undefined) throw new Error('the simulator started no site');
    return new SimSite(sim, running);
  }

  get url(): string {
    return this.running.url;
  }

  close(): Promise<void> {
    return this.sim.close();
  }

  /** An InstanceConfig for this site (the first API user unless overridden). */
  config(overrides: Partial<InstanceConfig> = {}): InstanceConfig {
    return {
      id: 'company-a',
      name: 'Compania A',
      base_url: this.url,
      api_key: API_KEY,
      api_secret: API_SECRET,
      ...overrides,
    };
  }

  async reset(): Promise<void> {
    await this.#sim('POST', '/__sim/reset');
  }

  /** `PUT /__sim/faults` (`{}` for none). */
  async setFaults(faults: Record<string, unknown>): Promise<void> {
    await this.#sim('PUT', '/__sim/faults', faults);
  }

  async requests(): Promise<RequestStats> {
    return (await this.#sim('GET', '/__sim/requests')) as RequestStats;
  }

  async resetRequests(): Promise<RequestStats> {
    return (await this.#sim('POST', '/__sim/requests/reset')) as RequestStats;
  }

  /** Committed rows of a doctype, as stored. */
  async documents(doctype: string): Promise<Array<Record<string, unknown>>> {
    const answer = (await this.#sim('GET', `/__sim/documents?doctype=${encodeURIComponent(doctype)}`)) as {
      data: Array<Record<string, unknown>>;
    };
    return answer.data;
  }

  async #sim(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  }
}

/** The request counter of one route, e.g. `GET /api/resource/:doctype`. */
export function count(stats: RequestStats, route: string): number {
  return stats.counts[route] ?? 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
