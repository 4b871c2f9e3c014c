import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoSites } from './demo-sites.js';
import { Site } from './site.js';
import { readStateFile, StateFileError, StateFileWriter, stateOf, writeStateFile } from './state-file.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'erpnext-sim-state-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function demo(): Site[] {
  return demoSites().map((setup) => new Site(setup));
}

function addSupplier(site: Site, name: string): void {
  site.load([{ doctype: 'Supplier', supplier_name: name }]);
}

describe('state file', () => {
  it('is undefined when the file does not exist', () => {
    expect(readStateFile(join(dir, 'none.json'))).toBeUndefined();
  });

  it('round-trips every site database, naming series and users, with mode 0600', async () => {
    const sites = demo();
    const [a] = sites;
    if (a === undefined) throw new Error('no site');
    addSupplier(a, 'Otro Proveedor');
    const txn = a.db.begin();
    txn.nextSeries('PUR-ORD-2026-');
    txn.commit();
    const path = join(dir, 'state.json');
    await writeStateFile(path, stateOf(sites));

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['state.json']);
    const read = readStateFile(path);
    expect([...(read?.keys() ?? [])]).toEqual(['company-a', 'company-b']);
    for (const site of sites) {
      const state = read?.get(site.name);
      expect(state?.users).toEqual(site.users);
      expect(state?.database).toEqual(JSON.parse(JSON.stringify(site.snapshot())));
    }
    expect(read?.get('company-a')?.database.series).toEqual({ 'PUR-ORD-2026-': 1 });

    const restored = new Site({ name: 'company-a', users: [] });
    const database = read?.get('company-a')?.database;
    if (database === undefined) throw new Error('no database');
    restored.restore(database);
    expect(restored.db.committed('Supplier', 'Otro Proveedor')).toBeDefined();
    expect(restored.db.seriesValue('PUR-ORD-2026-')).toBe(1);
  });

  it('says which file is corrupt and why', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"version": 1, "sites": {');
    expect(() => readStateFile(path)).toThrow(StateFileError);
    expect(() => readStateFile(path)).toThrow(new RegExp(`^state file ${path}: is not valid JSON`));

    await writeFile(
      path,
      JSON.stringify({ version: 1, saved_at: 'x', sites: { a: { users: [{}], database: {} } } }),
    );
    expect(() => readStateFile(path)).toThrow(
      `state file ${path}: is not a simulator state file (sites.a.users[0].email: is required`,
    );

    await writeFile(path, JSON.stringify({ something: 'else' }));
    expect(() => readStateFile(path)).toThrow(/is not a simulator state file \(version: is required/);
  });

  it('writes once after a burst of changes, and on close', async () => {
    const sites = demo();
    const [a] = sites;
    if (a === undefined) throw new Error('no site');
    const path = join(dir, 'state.json');
    const writer = new StateFileWriter(path, sites, { debounceMs: 20 });
    addSupplier(a, 'S1');
    addSupplier(a, 'S2');
    expect(writer.dirty).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(writer.dirty).toBe(false);
    const first = readStateFile(path)
      ?.get('company-a')
      ?.database.tables.Supplier?.map((doc) => doc.name);
    expect(first).toEqual(expect.arrayContaining(['S1', 'S2']));

    addSupplier(a, 'S3');
    await writer.close();
    const last = readStateFile(path)
      ?.get('company-a')
      ?.database.tables.Supplier?.map((doc) => doc.name);
    expect(last).toEqual(expect.arrayContaining(['S1', 'S2', 'S3']));

    // Closed: later changes are not written.
    addSupplier(a, 'S4');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const after = JSON.parse(await readFile(path, 'utf8')) as {
      sites: Record<string, { database: { tables: Record<string, unknown[]> } }>;
    };
    expect(after.sites['company-a']?.database.tables.Supplier).toHaveLength(last?.length ?? 0);
  });

  it('reports a failed write and keeps the state dirty', async () => {
    const errors: unknown[] = [];
    const writer = new StateFileWriter(join(dir, 'missing-dir', 'state.json'), demo(), {
      onError: (error) => errors.push(error),
    });
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(writer.dirty).toBe(true);
  });
});
