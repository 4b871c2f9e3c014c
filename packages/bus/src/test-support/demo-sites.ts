/**
 * The ERPNext simulator's demo sites (`company-a`, `company-b`) with a client for each, the marker
 * field installed: started for one test, or for every test of a file.
 */
import { ErpnextClient, prepareInstance } from '@interco/erpnext';
import { type RunningSite, type Simulator, startSimulator } from '@interco/erpnext-sim';
import { afterAll, beforeAll } from 'vitest';

export interface DemoSites {
  sim: Simulator;
  a: RunningSite;
  b: RunningSite;
  clients: { a: ErpnextClient; b: ErpnextClient };
  close(): Promise<void>;
}

export interface DemoSitesOptions {
  /** Install the marker field (default true). */
  prepare?: boolean;
}

export async function demoSites(options: DemoSitesOptions = {}): Promise<DemoSites> {
  const sim = await startSimulator({ sites: 'demo', inspection: true });
  const a = sim.sites.find((site) => site.name === 'company-a');
  const b = sim.sites.find((site) => site.name === 'company-b');
  if (a === undefined || b === undefined) throw new Error('the demo sites are missing');
  const client = (id: string, site: RunningSite) =>
    new ErpnextClient({ id, name: id, base_url: site.url, api_key: site.apiKey, api_secret: site.apiSecret });
  const clients = { a: client('company-a', a), b: client('company-b', b) };
  if (options.prepare !== false) {
    await prepareInstance(clients.a);
    await prepareInstance(clients.b);
  }
  return {
    sim,
    a,
    b,
    clients,
    async close() {
      await clients.a.close();
      await clients.b.close();
      await sim.close();
    },
  };
}

/**
 * The demo sites for every test of the calling file: started before the first (`beforeAll`),
 * closed after the last (`afterAll`). Call it at the top of the file; its fields can be read
 * once the tests run.
 */
export function demoSitesForFile(options: DemoSitesOptions = {}): DemoSites {
  let started: DemoSites | undefined;
  beforeAll(async () => {
    started = await demoSites(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const sites = (): DemoSites => {
    if (started === undefined) throw new Error('the demo sites start before the first test of the file');
    return started;
  };
  return {
    get sim() {
      return sites().sim;
    },
    get a() {
      return sites().a;
    },
    get b() {
      return sites().b;
    },
    get clients() {
      return sites().clients;
    },
    close: () => sites().close(),
  };
}
