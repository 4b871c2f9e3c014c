/**
 * One simulated ERPNext site as an end-to-end test sees it: its URL and API user, and the
 * simulator's inspection API (`/__sim/`) to set faults, count requests and read what was stored.
 */
import type { FaultConfig, RunningSite } from '@interco/erpnext-sim';

export type SimDoc = Record<string, unknown> & { name: string; docstatus?: number };

export interface SimSerial {
  name: string;
  item_code: string;
  warehouse?: string | null;
  company?: string | null;
  status: string;
}

export class SimSite {
  readonly name: string;
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;

  constructor(site: RunningSite) {
    this.name = site.name;
    this.url = site.url;
    this.apiKey = site.apiKey;
    this.apiSecret = site.apiSecret;
  }

  #base: FaultConfig = {};

  /** Replaces the site's faults (the base ones, e.g. the worker timeout, included only if given). */
  async setFaults(faults: FaultConfig): Promise<void> {
    await this.#call('PUT', '/faults', faults);
  }

  /** Sets the faults every later `setRules` keeps (the pipeline's worker timeout). */
  async setBaseFaults(faults: FaultConfig): Promise<void> {
    this.#base = structuredClone(faults);
    await this.setFaults(faults);
  }

  /** The base faults with these rules (none: back to the base). */
  async setRules(rules: NonNullable<FaultConfig['rules']> = []): Promise<void> {
    await this.setFaults({ ...this.#base, rules });
  }

  /** A call of the site's ERPNext API as its API user (what an operator's script would send). */
  async api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `token ${this.apiKey}:${this.apiSecret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  }

  /**
   * The documents of a doctype that carry a marker of one of these transfers, grouped by marker.
   * `all` counts every document in the site, with or without a marker.
   */
  async byMarker(
    doctype: string,
    transferIds: Iterable<string>,
  ): Promise<{ markers: Map<string, SimDoc[]>; all: number }> {
    const ids = new Set(transferIds);
    const docs = await this.documents(doctype);
    const markers = new Map<string, SimDoc[]>();
    for (const doc of docs) {
      const marker = String(doc.custom_interco_marker ?? '');
      if (!ids.has(marker.split(':')[0] ?? '')) continue;
      markers.set(marker, [...(markers.get(marker) ?? []), doc]);
    }
    return { markers, all: docs.length };
  }

  async resetCounters(): Promise<void> {
    await this.#call('POST', '/requests/reset');
  }

  /** Request counters by route, e.g. `POST /api/resource/:doctype`. */
  async requests(): Promise<{ counts: Record<string, number>; total: number }> {
    return (await this.#call('GET', '/requests')) as { counts: Record<string, number>; total: number };
  }

  /**
   * Requests that write: every POST, PUT and DELETE on a resource and every method call except
   * the reading ones (a list sent as POST because its filters are long is still a read).
   */
  async writes(): Promise<number> {
    const { counts } = await this.requests();
    return Object.entries(counts)
      .filter(([route]) => isWrite(route))
      .reduce((sum, [, n]) => sum + n, 0);
  }

  async documents(doctype: string): Promise<SimDoc[]> {
    const answer = (await this.#call('GET', `/documents?doctype=${encodeURIComponent(doctype)}`)) as {
      data: SimDoc[];
    };
    return answer.data;
  }

  /** Documents of a doctype that carry a marker of this transfer. */
  async documentsOf(doctype: string, transferId: string): Promise<SimDoc[]> {
    return (await this.documents(doctype)).filter((doc) =>
      String(doc.custom_interco_marker ?? '').startsWith(`${transferId}:`),
    );
  }

  async serials(filters: Record<string, string> = {}): Promise<SimSerial[]> {
    const query = new URLSearchParams(filters).toString();
    const answer = (await this.#call('GET', `/serials${query === '' ? '' : `?${query}`}`)) as {
      data: SimSerial[];
    };
    return answer.data;
  }

  /** Inserts master data (or anything else) as the site's first user. */
  async insertRecords(records: Record<string, unknown>[], settings?: Record<string, unknown>): Promise<void> {
    await this.#call('POST', '/records', { records, ...(settings === undefined ? {} : { settings }) });
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}/__sim${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`simulator ${this.name}: ${method} /__sim${path}: ${response.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }
}

const READING_METHODS = new Set([
  'frappe.client.get_list',
  'frappe.client.get_count',
  'frappe.client.get',
  'frappe.client.get_value',
  'frappe.client.has_permission',
  'frappe.auth.get_logged_user',
]);

function isWrite(route: string): boolean {
  const [verb, path = ''] = route.split(' ');
  if (verb === 'GET') return false;
  const method = /^\/api\/method\/(.+)$/.exec(path)?.[1];
  return method === undefined || !READING_METHODS.has(method);
}
