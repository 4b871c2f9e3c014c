import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningSite, type Simulator, startSimulator } from './simulator.js';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(PACKAGE_DIR, 'src', 'cli.ts');

type Json = Record<string, unknown>;

async function call(
  site: RunningSite,
  path: string,
  init: { method?: string; body?: unknown; auth?: string | false; rawBody?: string } = {},
): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (init.auth !== false) headers.authorization = init.auth ?? `token ${site.apiKey}:${site.apiSecret}`;
  let body: string | undefined;
  if (init.rawBody !== undefined) body = init.rawBody;
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${site.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  if (text === '') return { status: response.status, body: {} };
  try {
    return { status: response.status, body: JSON.parse(text) as Json };
  } catch {
    // nginx's error pages (502/503/504) are HTML
    return { status: response.status, body: { text } };
  }
}

function bySite(sim: Simulator, name: string): RunningSite {
  const site = sim.sites.find((s) => s.name === name);
  if (site === undefined) throw new Error(`no site ${name}`);
  return site;
}

describe('startSimulator with the demo sites', () => {
  let sim: Simulator;
  let a: RunningSite;
  let b: RunningSite;

  beforeAll(async () => {
    sim = await startSimulator({ sites: 'demo', inspection: true });
    a = bySite(sim, 'company-a');
    b = bySite(sim, 'company-b');
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(async () => {
    await call(a, '/__sim/reset', { method: 'POST' });
    await call(b, '/__sim/reset', { method: 'POST' });
  });

  it('serves two sites on their own ports, with their own random credentials', () => {
    expect(sim.sites.map((s) => s.name)).toEqual(['company-a', 'company-b']);
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(a.url).not.toBe(b.url);
    expect(a.apiKey).toMatch(/^[0-9a-f]{15}$/);
    expect(a.apiSecret).toMatch(/^[0-9a-f]{15}$/);
    expect(a.apiKey).not.toBe(b.apiKey);
  });

  it('authenticates each site with its own key and secret', async () => {
    expect(await call(a, '/api/method/frappe.auth.get_logged_user')).toEqual({
      status: 200,
      body: { message: 'interco@compania-a.example' },
    });
    expect((await call(b, '/api/method/frappe.auth.get_logged_user')).body).toEqual({
      message: 'interco@compania-b.example',
    });
    expect(
      (await call(a, '/api/method/frappe.auth.get_logged_user', { auth: `token ${a.apiKey}:wrong` })).status,
    ).toBe(401);
    expect(
      (await call(b, '/api/method/frappe.auth.get_logged_user', { auth: `token ${a.apiKey}:${a.apiSecret}` }))
        .status,
    ).toBe(401);
  });

  it('keeps each site its own data', async () => {
    expect((await call(a, '/api/resource/Company')).body).toEqual({ data: [{ name: 'Compania A' }] });
    expect((await call(b, '/api/resource/Company')).body).toEqual({ data: [{ name: 'Compania B' }] });
    expect((await call(a, '/api/resource/Warehouse/Stores - CA')).status).toBe(200);
    expect((await call(b, '/api/resource/Warehouse/Stores - CB')).status).toBe(200);
    expect((await call(a, '/api/resource/Customer/Compania B')).body.data).toMatchObject({
      default_price_list: 'Standard Selling',
    });
    expect((await call(b, '/api/resource/Supplier/Compania A')).status).toBe(200);
    expect((await call(b, '/api/resource/Supplier/Proveedor de Pines SA')).status).toBe(404);
  });

  it("makes Interco's four documents possible (PO, PR, DN in A; PR in B)", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const serials = ['PIN-DEMO-0001', 'PIN-DEMO-0002'];
    const po = await call(a, '/api/resource/Purchase Order', {
      method: 'POST',
      body: {
        supplier: 'Proveedor de Pines SA',
        company: 'Compania A',
        transaction_date: today,
        schedule_date: today,
        set_warehouse: 'Stores - CA',
        items: [{ item_code: 'PIN-001', qty: 2, rate: 10, schedule_date: today, warehouse: 'Stores - CA' }],
        docstatus: 1,
      },
    });
    expect(po.status, JSON.stringify(po.body)).toBe(200);
    const poName = String((po.body.data as Json).name);
    const made = await call(
      a,
      '/api/method/erpnext.buying.doctype.purchase_order.purchase_order.make_purchase_receipt',
      {
        method: 'POST',
        body: { source_name: poName },
      },
    );
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const draft = made.body.message as Json & { items: Json[] };
    const prA = await call(a, '/api/resource/Purchase Receipt', {
      method: 'POST',
      body: {
        ...draft,
        docstatus: 1,
        items: draft.items.map((row) => ({ ...row, serial_no: serials.join('\n') })),
      },
    });
    expect(prA.status, JSON.stringify(prA.body)).toBe(200);
    const dn = await call(a, '/api/resource/Delivery Note', {
      method: 'POST',
      body: {
        customer: 'Compania B',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: [
          { item_code: 'PIN-001', qty: 2, rate: 10, warehouse: 'Stores - CA', serial_no: serials.join('\n') },
        ],
        docstatus: 1,
      },
    });
    expect(dn.status, JSON.stringify(dn.body)).toBe(200);
    const prB = await call(b, '/api/resource/Purchase Receipt', {
      method: 'POST',
      body: {
        supplier: 'Compania A',
        company: 'Compania B',
        set_warehouse: 'Stores - CB',
        items: [
          { item_code: 'PIN-001', qty: 2, rate: 10, warehouse: 'Stores - CB', serial_no: serials.join('\n') },
        ],
        docstatus: 1,
      },
    });
    expect(prB.status, JSON.stringify(prB.body)).toBe(200);

    const ledgerA = (await call(a, '/__sim/serials')).body;
    expect(ledgerA.count).toBe(2);
    expect((ledgerA.data as Json[]).map((s) => s.status)).toEqual(['Delivered', 'Delivered']);
    const ledgerB = (await call(b, '/__sim/serials?status=Active&warehouse=Stores - CB')).body;
    expect((ledgerB.data as Json[]).map((s) => s.name).sort()).toEqual(serials);
  });

  describe('inspection API', () => {
    it('answers health', async () => {
      expect(await call(a, '/__sim/health', { auth: false })).toEqual({
        status: 200,
        body: { status: 'ok', site: 'company-a' },
      });
    });

    it('counts documents and lists a doctype', async () => {
      const { body } = await call(a, '/__sim/documents');
      expect(body.counts).toMatchObject({
        Company: 1,
        Item: 3,
        Warehouse: 5,
        'Fiscal Year': 2,
        'Price List': 2,
        Supplier: 1,
        Customer: 1,
      });
      expect(body.counts).not.toHaveProperty('Purchase Order Item');
      const items = (await call(a, '/__sim/documents?doctype=Item')).body;
      expect(items.count).toBe(3);
      expect((items.data as Json[]).map((item) => item.name)).toEqual(['PIN-001', 'PIN-002', 'SIM-001']);
      expect((items.data as Json[]).every((item) => item.has_serial_no === 1)).toBe(true);
      const missing = await call(a, '/__sim/documents?doctype=Nope');
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('unknown doctype "Nope"');
    });

    it('loads records, refuses bad ones with 400, and resets', async () => {
      const loaded = await call(a, '/__sim/records', {
        method: 'POST',
        body: {
          records: [{ doctype: 'Supplier', supplier_name: 'Nuevo' }],
          settings: { 'Buying Settings': { po_required: 'Yes' } },
        },
      });
      expect(loaded).toEqual({ status: 200, body: { ok: true, inserted: 1, settings: ['Buying Settings'] } });
      expect((await call(a, '/api/resource/Supplier/Nuevo')).status).toBe(200);
      expect((await call(a, '/api/resource/Buying Settings/Buying Settings')).body.data).toMatchObject({
        po_required: 'Yes',
      });

      const badShape = await call(a, '/__sim/records', {
        method: 'POST',
        body: { records: [{ supplier_name: 'X' }] },
      });
      expect(badShape.status).toBe(400);
      expect(badShape.body.error).toContain('records[0].doctype: is required');
      expect(badShape.body.problems).toEqual([{ path: 'records[0].doctype', message: 'is required' }]);

      const refused = await call(a, '/__sim/records', {
        method: 'POST',
        body: {
          records: [
            { doctype: 'Supplier', supplier_name: 'Y' },
            { doctype: 'Warehouse', warehouse_name: 'W', company: 'Nadie' },
          ],
        },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toContain('Could not find Company: Nadie');
      expect((await call(a, '/api/resource/Supplier/Y')).status).toBe(404);

      const notJson = await call(a, '/__sim/records', { method: 'POST', rawBody: '{"records": [' });
      expect(notJson.status).toBe(400);
      expect(notJson.body.error).toMatch(/^the body is not valid JSON/);

      expect((await call(a, '/__sim/reset', { method: 'POST' })).body).toMatchObject({
        ok: true,
        site: 'company-a',
      });
      expect((await call(a, '/api/resource/Supplier/Nuevo')).status).toBe(404);
      expect((await call(a, '/api/resource/Buying Settings/Buying Settings')).body.data).toMatchObject({
        po_required: 'No',
      });
    });

    it('gets and puts faults, naming the bad path of a refused body', async () => {
      expect((await call(a, '/__sim/faults')).body).toEqual({ rules: [] });
      const faults = {
        workers: 2,
        rules: [{ match: { doctype: 'Item' }, error_rates: { '503': 1 }, times: 1 }],
      };
      expect(await call(a, '/__sim/faults', { method: 'PUT', body: faults })).toEqual({
        status: 200,
        body: faults,
      });
      expect((await call(a, '/api/resource/Item')).status).toBe(503);
      expect((await call(a, '/api/resource/Item')).status).toBe(200);
      expect((await call(a, '/__sim/faults')).body).toEqual({ workers: 2, rules: [] });

      const bad = await call(a, '/__sim/faults', {
        method: 'PUT',
        body: { rules: [{ latency_ms: -5, error_rates: { '503': 2 } }] },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toContain('rules[0].latency_ms: must be at least 0');
      expect(bad.body.problems).toEqual(
        expect.arrayContaining([{ path: 'rules[0].error_rates.503', message: 'must be at most 1' }]),
      );
      expect((await call(a, '/__sim/faults', { method: 'PUT', body: { worker: 1 } })).body.error).toContain(
        'worker: is not a known field',
      );
      expect((await call(a, '/__sim/faults', { method: 'PUT' })).status).toBe(400);
      expect((await call(a, '/__sim/faults')).body).toEqual({ workers: 2, rules: [] });
    });

    it('counts requests and resets the counters', async () => {
      await call(a, '/__sim/requests/reset', { method: 'POST' });
      await call(a, '/api/resource/Item');
      await call(a, '/api/resource/Item');
      await call(a, '/api/resource/Item/PIN-001');
      const { body } = await call(a, '/__sim/requests');
      expect(body.counts).toEqual({ 'GET /api/resource/:doctype': 2, 'GET /api/resource/:doctype/:name': 1 });
      expect(body.total).toBe(3);
      expect(body.pool).toMatchObject({ busy: 0, queued: 0, served: 3 });
      const reset = await call(a, '/__sim/requests/reset', { method: 'POST' });
      expect(reset.body).toMatchObject({ counts: {}, total: 0, pool: { served: 0, max_busy: 0 } });
    });

    it('answers unknown inspection routes with JSON 404', async () => {
      const response = await call(a, '/__sim/nothing');
      expect(response.status).toBe(404);
      expect(response.body.error).toContain('/__sim/nothing');
    });
  });
});

describe('startSimulator', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpnext-sim-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves no inspection API unless asked', async () => {
    const sim = await startSimulator({
      sites: [{ name: 'one', users: [{ email: 'u@x', apiKey: 'k', apiSecret: 's' }] }],
    });
    try {
      const [one] = sim.sites;
      if (one === undefined) throw new Error('no site');
      expect((await fetch(`${one.url}/__sim/health`)).status).toBe(404);
      expect(one).toMatchObject({ name: 'one', apiKey: 'k', apiSecret: 's' });
    } finally {
      await sim.close();
    }
  });

  it('keeps data and demo credentials across a restart with a state file', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startSimulator({ sites: 'demo', stateFile, stateWriteDelayMs: 10 });
    const a1 = bySite(first, 'company-a');
    const inserted = await call(a1, '/api/resource/Supplier', {
      method: 'POST',
      body: { supplier_name: 'Guardado SA' },
    });
    expect(inserted.status).toBe(200);
    await first.close();
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);

    const second = await startSimulator({ sites: 'demo', stateFile });
    try {
      const a2 = bySite(second, 'company-a');
      expect({ key: a2.apiKey, secret: a2.apiSecret }).toEqual({ key: a1.apiKey, secret: a1.apiSecret });
      expect(bySite(second, 'company-b').apiKey).toBe(bySite(first, 'company-b').apiKey);
      expect((await call(a2, '/api/resource/Supplier/Guardado SA')).status).toBe(200);
      expect((await call(bySite(second, 'company-b'), '/api/resource/Supplier/Guardado SA')).status).toBe(
        404,
      );
    } finally {
      await second.close();
    }
  });

  it('refuses a corrupt state file with a clear error', async () => {
    const stateFile = join(dir, 'state.json');
    await writeFile(stateFile, 'not json');
    await expect(startSimulator({ sites: 'demo', stateFile })).rejects.toThrow(
      `state file ${stateFile}: is not valid JSON`,
    );
  });

  it("listens on portBase + index, or a site's own port, and says so when a port is taken", async () => {
    const holder = await startSimulator({
      sites: [{ name: 'holder', users: [{ email: 'u@x', apiKey: 'k', apiSecret: 's' }] }],
    });
    try {
      const [held] = holder.sites;
      const port = Number(new URL(held?.url ?? '').port);
      await expect(
        startSimulator({
          sites: [{ name: 'late', port, users: [{ email: 'u@x', apiKey: 'k', apiSecret: 's' }] }],
        }),
      ).rejects.toThrow(`site late: cannot listen on 127.0.0.1:${port}`);
    } finally {
      await holder.close();
    }
  });
});

describe('the erpnext-sim CLI', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'erpnext-sim-cli-'));
  });

  afterEach(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  function startCli(args: string[]): ChildProcess {
    // What `pnpm sim` runs (tsx with the source condition), without pnpm in between.
    return spawn(process.execPath, ['--import', 'tsx', '--conditions=@interco/source', CLI, ...args], {
      cwd: PACKAGE_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  function exitOf(proc: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => {
      if (proc.exitCode !== null) resolve(proc.exitCode);
      else proc.once('exit', (code) => resolve(code));
    });
  }

  function collect(stream: NodeJS.ReadableStream | null): () => string {
    let text = '';
    stream?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    return () => text;
  }

  it('prints one JSON line per site, serves them, and exits 0 on SIGTERM', async () => {
    const stateFile = join(dir, 'state.json');
    const proc = startCli(['--port-base', '0', '--state-file', stateFile]);
    child = proc;
    const stderr = collect(proc.stderr);
    const lines: Json[] = [];
    const reader = createInterface({ input: proc.stdout ?? process.stdin });
    await new Promise<void>((resolve, reject) => {
      reader.on('line', (line) => {
        lines.push(JSON.parse(line) as Json);
        if (lines.length === 2) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`exited ${String(code)}: ${stderr()}`)));
    });
    expect(lines.map((line) => Object.keys(line))).toEqual([
      ['site', 'url', 'api_key', 'api_secret'],
      ['site', 'url', 'api_key', 'api_secret'],
    ]);
    expect(lines.map((line) => line.site)).toEqual(['company-a', 'company-b']);
    const [first] = lines;
    const site = {
      name: String(first?.site),
      url: String(first?.url),
      apiKey: String(first?.api_key),
      apiSecret: String(first?.api_secret),
    } as RunningSite;
    expect(await call(site, '/api/method/frappe.auth.get_logged_user')).toEqual({
      status: 200,
      body: { message: 'interco@compania-a.example' },
    });
    expect((await call(site, '/__sim/health')).status).toBe(200);

    proc.kill('SIGTERM');
    expect(await exitOf(proc)).toBe(0);
    expect(lines).toHaveLength(2);
    expect(stderr()).toContain('SIGTERM: stopping');
    expect((await stat(stateFile)).mode & 0o777).toBe(0o600);
  }, 30_000);

  it('exits 2 with a message on bad arguments or a bad sites file', async () => {
    const bad = startCli(['--port-base', 'abc']);
    child = bad;
    const badErr = collect(bad.stderr);
    expect(await exitOf(bad)).toBe(2);
    expect(badErr()).toContain('--port-base must be a whole number');
    expect(badErr()).toContain('usage: erpnext-sim');

    const unknown = startCli(['--sitez', 'demo']);
    child = unknown;
    const unknownErr = collect(unknown.stderr);
    expect(await exitOf(unknown)).toBe(2);
    expect(unknownErr()).toContain("Unknown option '--sitez'");

    const sitesFile = join(dir, 'sites.json');
    await writeFile(
      sitesFile,
      JSON.stringify({ sites: [{ name: 'a', users: [{ email: 'u@x', api_key: 'k' }] }] }),
    );
    const invalid = startCli(['--sites', sitesFile]);
    child = invalid;
    const invalidOut = collect(invalid.stdout);
    const invalidErr = collect(invalid.stderr);
    expect(await exitOf(invalid)).toBe(2);
    expect(invalidErr()).toContain(
      `sites file ${sitesFile}: invalid sites file:\n  sites[0].users[0].api_secret: is required`,
    );
    expect(invalidOut()).toBe('');
  }, 30_000);
});
