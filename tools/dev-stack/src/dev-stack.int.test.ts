import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portInUse } from './checks.js';
import { stackLayout } from './layout.js';
import { plannedPorts, portPlan } from './ports.js';
import { processStatus } from './process-identity.js';
import { REPO_ROOT } from './stack.js';
import { isProcessAlive, readStackFile, type StackFile } from './stack-file.js';

// `pnpm dev` and `pnpm demo` as a user runs them: the built entry points as child processes, on
// free ports and a temporary data folder, with their own NATS and Mongo (not the tests' ones).

const BUILT = [
  'tools/dev-stack/dist/dev.js',
  'tools/dev-stack/dist/demo.js',
  'packages/cli/dist/main.js',
  'services/intake/dist/main.js',
  'packages/erpnext-sim/dist/cli.js',
];

/** A port base whose whole plan is free right now. */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 100;
    const ports = plannedPorts(portPlan(base), { nats: false, mongo: false });
    const taken = await Promise.all(ports.map(({ port }) => portInUse(port)));
    if (!taken.some(Boolean)) return base;
  }
  throw new Error('no free port base found');
}

/** The caller's environment without the tests' servers: the stack starts its own. */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !['NATS_URL', 'MONGODB_URL'].includes(name)) env[name] = value;
  }
  return env;
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(script: string, args: string[], extraEnv: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: REPO_ROOT,
    env: { ...childEnv(), ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('pnpm dev and pnpm demo', () => {
  let dir: string;
  let base: number;
  let dev: Running | undefined;
  const layout = () => stackLayout(dir);

  beforeAll(async () => {
    const missing = BUILT.filter((file) => !existsSync(join(REPO_ROOT, file)));
    if (missing.length > 0) {
      throw new Error(`run \`pnpm build\` first (\`pnpm test\` does): missing ${missing.join(', ')}`);
    }
    dir = await mkdtemp(join(tmpdir(), 'interco-dev-stack-'));
    base = await freePortBase();
  });

  afterAll(async () => {
    // A test that failed half-way leaves nothing running.
    const state =
      dir === undefined ? undefined : await readStackFile(layout().stackFile).catch(() => undefined);
    if (dev !== undefined && dev.child.exitCode === null) {
      dev.child.kill('SIGTERM');
      await within(dev.exited, 30_000, () => 'dev did not stop').catch(() => dev?.child.kill('SIGKILL'));
    }
    if (state?.kind === 'running' || state?.kind === 'stale') {
      for (const { pid } of state.stack.processes) if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function startDev(): Promise<StackFile> {
    const started = run('tools/dev-stack/dist/dev.js', ['--dir', dir, '--port-base', String(base)]);
    dev = started;
    const ready = (async () => {
      for (;;) {
        if (started.child.exitCode !== null) throw new Error(`dev exited early:\n${started.output()}`);
        if (started.output().includes('Interco is running')) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const state = await readStackFile(layout().stackFile);
      if (state.kind !== 'running') throw new Error(`stack.json is ${state.kind}`);
      return state.stack;
    })();
    return within(ready, 120_000, () => `dev did not get ready:\n${started.output()}`);
  }

  async function stopDev(stack: StackFile, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const running = dev;
    if (running === undefined) throw new Error('dev is not running');
    running.child.kill(signal);
    const code = await within(running.exited, 60_000, () => `dev did not stop:\n${running.output()}`);
    expect(code, running.output()).toBe(0);
    expect(running.output()).toContain('dev-stack: stopped');
    for (const { name, pid } of stack.processes)
      expect(isProcessAlive(pid), `${name} (pid ${pid})`).toBe(false);
    for (const { port, owner } of plannedPorts(portPlan(base), { nats: false, mongo: false })) {
      expect(await portInUse(port), `${owner} still listens on ${port}`).toBe(false);
    }
    expect(existsSync(layout().stackFile)).toBe(false);
  }

  async function api<T>(url: string): Promise<T> {
    const token = (await readFile(layout().adminToken, 'utf8')).trim();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status, url).toBe(200);
    return (await response.json()) as T;
  }

  interface View {
    transfer_id: string;
    status: string;
    generation: number;
    request: { reference: string | null } | null;
  }

  async function demoTransfers(
    stack: StackFile,
    runId: string,
  ): Promise<Record<string, { status: string; generation: number }>> {
    const list = await api<{ transfers: View[] }>(`${stack.tracker_url}/v1/transfers?limit=200`);
    const ours = list.transfers.filter((t) => t.request?.reference?.startsWith(`demo ${runId} `));
    return Object.fromEntries(
      ours.map((t) => [
        t.request?.reference?.slice(`demo ${runId} `.length, `demo ${runId} `.length + 1),
        { status: t.status, generation: t.generation },
      ]),
    );
  }

  const expected = {
    a: { status: 'completed', generation: 1 },
    b: { status: 'completed', generation: 2 },
    c: { status: 'cancelled', generation: 2 },
  };

  it('runs the demo to the expected states, and keeps them across a stop and a start', async () => {
    const first = await startDev();
    expect(first.sites).toEqual({
      'company-a': `http://127.0.0.1:${base + 20}`,
      'company-b': `http://127.0.0.1:${base + 21}`,
    });
    expect((await readFile(layout().cliConfig, 'utf8')).includes(`http://127.0.0.1:${base}`)).toBe(true);

    // Streamed as they come, not written at the stop.
    expect(await readFile(join(layout().logsDir, 'nats.log'), 'utf8')).toMatch(/Server is ready/);
    expect(first.processes.map(({ name }) => name).sort()).toEqual(
      ['dn-a', 'intake', 'mongo', 'nats', 'po-a', 'pr-a', 'pr-b', 'sim', 'tracker'].sort(),
    );
    expect(first.identity?.cmdline.some((arg) => arg.endsWith('dev-stack/dist/dev.js'))).toBe(true);

    // The operations console: served by the tracker, naming intake, which answers its origin.
    expect(first.tracker_url).toBe(`http://127.0.0.1:${base + 5}`);
    const page = await fetch(`${first.tracker_url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ${first.intake_url}`);
    expect(await (await fetch(`${first.tracker_url}/console/config.json`)).json()).toEqual({
      intake_url: first.intake_url,
    });
    const preflight = await fetch(`${first.intake_url}/v1/instances`, {
      method: 'OPTIONS',
      headers: { origin: first.tracker_url, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(first.tracker_url);

    // The caller's CLI settings (a production profile, a token) must not reach the demo's CLI.
    const demo = run('tools/dev-stack/dist/demo.js', ['--dir', dir], {
      INTERCO_PROFILE: 'prod',
      INTERCO_TOKEN: 'itk_not_this_stack',
      INTERCO_INTAKE_URL: 'http://127.0.0.1:9',
    });
    const demoCode = await within(demo.exited, 180_000, () => `the demo did not end:\n${demo.output()}`);
    expect(demoCode, demo.output()).toBe(0);
    expect(demo.output()).toContain('Using the stack running on');
    expect(demo.output()).toMatch(/fixed: added warehouse "Demo Receiving \w+ - CB"/);
    const runId = /Demo run (\w+)/.exec(demo.output())?.[1] ?? '';
    expect(runId).not.toBe('');
    expect(await demoTransfers(first, runId)).toEqual(expected);

    await stopDev(first);

    const second = await startDev();
    expect(await demoTransfers(second, runId)).toEqual(expected);
    const instances = await api<{ instances: Array<{ id: string; base_url: string }> }>(
      `${second.intake_url}/v1/admin/instances`,
    );
    expect(instances.instances.map((i) => [i.id, i.base_url]).sort()).toEqual([
      ['company-a', `http://127.0.0.1:${base + 20}`],
      ['company-b', `http://127.0.0.1:${base + 21}`],
    ]);
    // Closing the terminal (SIGHUP) stops it as gracefully as SIGTERM: nothing stays behind.
    await stopDev(second, 'SIGHUP');
  }, 420_000);

  it('stops the children a killed supervisor left behind, then starts', async () => {
    const killed = await startDev();
    const running = dev;
    running?.child.kill('SIGKILL');
    await running?.exited;
    const left = killed.processes.filter(({ pid }) => isProcessAlive(pid));
    expect(left.map(({ name }) => name)).toContain('nats');

    const again = await startDev();
    const said = dev?.output() ?? '';
    expect(said).toContain('did not stop cleanly');
    expect(said).toMatch(/its children still run: .*nats \(pid \d+\).*stopping them/);
    expect(said).toContain('the leftover children are stopped');
    for (const { name, pid } of killed.processes) {
      // Gone, or a zombie its adopter has not reaped yet.
      expect(await processStatus(pid, undefined), `${name} (pid ${pid})`).toBe('gone');
    }
    await stopDev(again);
  }, 300_000);

  it('refuses to start when secret-key is gone but the data is there', async () => {
    const key = await readFile(layout().secretKey, 'utf8');
    await rm(layout().secretKey);
    try {
      const refused = run('tools/dev-stack/dist/dev.js', ['--dir', dir, '--port-base', String(base)]);
      const code = await within(refused.exited, 60_000, () => `dev did not end:\n${refused.output()}`);
      expect(code, refused.output()).toBe(1);
      expect(refused.output()).toMatch(/secret-key is missing or empty.*Restore .*--reset/);
      expect(existsSync(layout().secretKey)).toBe(false);
    } finally {
      await writeFile(layout().secretKey, key, { mode: 0o600 });
    }
  }, 120_000);
});
