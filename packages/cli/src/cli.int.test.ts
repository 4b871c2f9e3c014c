/**
 * The CLI against a real intake and a real tracker on the run's NATS and MongoDB-wire servers,
 * with the four step services and two simulated ERPNext sites (e2e's pipeline harness), so the
 * transfers it submits really progress. Commands run in-process through runCli (injected
 * stdout, stderr, stdin, env) and, for what the local stack relies on, as a real child process
 * of the built `bin/interco.js`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintBootstrapToken } from '@interco/auth';
import { type Pipeline, startPipeline } from '@interco/e2e/src/harness/pipeline.js';
import { demoTransfer } from '@interco/e2e/src/harness/requests.js';
import { SecretBox } from '@interco/erpnext';
import { DEMO_COMPANY_B } from '@interco/erpnext-sim';
import { createLogger } from '@interco/service';
import { mongoUrl, natsUrl } from '@interco/testkit/vitest';
import { type RunningTracker, startTracker } from '@interco/tracker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import type { WatchTiming } from './io.js';

const BIN = fileURLToPath(new URL('../bin/interco.js', import.meta.url));
const TIMING: WatchTiming = {
  pollMs: 200,
  notYetSeenMs: 30_000,
  refreshMs: 15_000,
  liveRetryMs: 2_000,
  tickMs: 1_000,
  unreachableMs: 5_000,
};

let pipeline: Pipeline;
/** The pipeline's tracker (it projects the events into its read model). */
let tracker: RunningTracker;
/** A second tracker on the same read model that refuses every live stream (503): watch must poll. */
let noLiveTracker: RunningTracker;
let admin: string;
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  signal?: AbortSignal;
  /** Sees stdout as it is written. */
  onStdout?: (all: string) => void;
  timing?: Partial<WatchTiming>;
}

function baseEnv(): Record<string, string | undefined> {
  return { INTERCO_INTAKE_URL: pipeline.intake.url, INTERCO_TRACKER_URL: tracker.url, INTERCO_TOKEN: admin };
}

/** Runs the CLI in-process. */
async function cli(argv: string[], options: RunOptions = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const stdin = options.stdin ?? '';
  const code = await runCli(argv, {
    stdout: {
      isTTY: false,
      write: (text: string) => {
        stdout += text;
        options.onStdout?.(stdout);
      },
    },
    stderr: { isTTY: false, write: (text: string) => (stderr += text) },
    stdin: (async function* () {
      if (stdin !== '') yield Buffer.from(stdin);
    })(),
    env: { ...baseEnv(), ...options.env },
    cwd: dir,
    homeDir: dir,
    readFile: (path) => readFile(path, 'utf8'),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    timing: { ...TIMING, ...options.timing },
  });
  return { code, stdout, stderr };
}

/** Runs the built CLI as a child process (`node packages/cli/bin/interco.js ...`). */
function child(argv: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('INTERCO_')),
    );
    const proc = spawn(process.execPath, [BIN, ...argv], {
      cwd: dir,
      env: { ...clean, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Writes a transfer request into the test's folder; its path. */
async function requestFile(body: unknown, name = `request-${Math.random().toString(36).slice(2)}.json`) {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(body));
  return path;
}

/** Submits a transfer through the CLI (--json); its id. */
async function submitted(body: unknown = demoTransfer()): Promise<string> {
  const run = await cli(['transfer', 'submit', await requestFile(body), '--json']);
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { transfer_id: string }).transfer_id;
}

/** The frames a non-terminal watch printed (separated by an empty line). */
function framesOf(stdout: string): string[] {
  return stdout
    .split('\n\n')
    .map((frame) => frame.trim())
    .filter((frame) => frame.startsWith('transfer tr_'));
}

beforeAll(async () => {
  const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
  const bootstrap = mintBootstrapToken();
  admin = bootstrap.token;
  pipeline = await startPipeline({ box, bootstrap });
  if (pipeline.tracker === undefined) throw new Error('the pipeline started no tracker');
  tracker = pipeline.tracker;
  noLiveTracker = await startTracker({
    natsUrl: natsUrl(),
    namespace: pipeline.names.subjectPrefix,
    mongoUrl: mongoUrl(),
    mongoDb: tracker.store.db.databaseName,
    box,
    bootstrapHash: bootstrap.hash,
    projector: false,
    maxLiveStreams: 0,
    logger: createLogger('tracker', { level: process.env.E2E_LOG_LEVEL ?? 'silent' }),
  });
  dir = await mkdtemp(join(tmpdir(), 'interco-cli-'));
});

afterAll(async () => {
  await noLiveTracker?.close();
  await pipeline?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('transfers', () => {
  it('submit --json prints intake’s answer; get, list with filters, events read it back', async () => {
    const reference = `CLI-${Date.now()}`;
    const run = await cli(['transfer', 'submit', await requestFile(demoTransfer({ reference })), '--json']);
    expect(run.code, run.stderr).toBe(0);
    const answer = JSON.parse(run.stdout) as { transfer_id: string; status_url: string };
    expect(Object.keys(answer).sort()).toEqual(['status_url', 'transfer_id']);
    expect(answer.transfer_id).toMatch(/^tr_/);
    const id = answer.transfer_id;

    const watched = await cli(['transfer', 'watch', id]);
    expect(watched.code, watched.stderr).toBe(0);

    const get = await cli(['transfer', 'get', id, '--json']);
    expect(get.code).toBe(0);
    const view = JSON.parse(get.stdout) as { status: string; request: { reference: string } };
    expect(view.status).toBe('completed');
    expect(view.request.reference).toBe(reference);
    const text = await cli(['transfer', 'get', id]);
    expect(text.stdout).toContain(`transfer ${id}  completed`);
    expect(text.stdout).toMatch(/po_a done +1 attempt/);

    const byReference = await cli(['transfer', 'list', '--reference', reference, '--json']);
    expect(
      (JSON.parse(byReference.stdout) as { transfers: { transfer_id: string }[] }).transfers.map(
        (t) => t.transfer_id,
      ),
    ).toEqual([id]);
    const filtered = await cli([
      'transfer',
      'list',
      '--status',
      'completed',
      '--instance',
      'company-a',
      '--limit',
      '200',
    ]);
    expect(filtered.code).toBe(0);
    expect(filtered.stdout.split('\n')[0]).toMatch(/^TRANSFER +STATUS +STEP/);
    expect(filtered.stdout).toContain(id);
    const none = await cli(['transfer', 'list', '--status', 'failed', '--reference', reference]);
    expect(none.stdout).toBe('no transfers\n');
    const bad = await cli(['transfer', 'list', '--status', 'done']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('status');

    const events = await cli(['transfer', 'events', id]);
    expect(events.code).toBe(0);
    for (const type of ['transfer.requested', 'po_a.done', 'pr_a.done', 'dn_a.done', 'pr_b.done']) {
      expect(events.stdout).toContain(type);
    }
    const serials = await cli(['transfer', 'serials', id, '--limit', '5']);
    expect(serials.code, serials.stderr).toBe(0);
    expect(serials.stdout.trim().split('\n')).toHaveLength(5);
    expect(serials.stderr).toMatch(/^5 of 30 serials; more: --cursor \S+/);
    const counts = await cli(['transfer', 'counts', '--json']);
    expect(
      (JSON.parse(counts.stdout) as { by_status: Record<string, number> }).by_status.completed,
    ).toBeGreaterThan(0);
  });

  it('submit --watch follows a transfer to completed in frames, from not yet seen to done', async () => {
    const run = await cli(['transfer', 'submit', await requestFile(demoTransfer()), '--watch']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^accepted tr_/);
    const frames = framesOf(run.stdout);
    expect(frames.length).toBeGreaterThan(0);
    const last = frames.at(-1) ?? '';
    expect(last).toMatch(/completed in /);
    for (const step of ['po_a', 'pr_a', 'dn_a', 'pr_b'])
      expect(last).toMatch(new RegExp(`${step} done +1 attempt`));
    // Each frame printed once.
    expect(new Set(frames).size).toBe(frames.length);
  });

  it('--watch polls when the live stream answers 503', async () => {
    const id = await submitted();
    const run = await cli(['transfer', 'watch', id, '--tracker-url', noLiveTracker.url]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('live updates unavailable');
    expect(framesOf(run.stdout).at(-1)).toMatch(/completed in /);
  });

  it('--watch resumes a dropped live stream and still follows the transfer to its end', async () => {
    // pr_b's writes take a while: the connection is dropped while the transfer is still running.
    await pipeline.b.setRules([
      { match: { doctype: 'Purchase Receipt', writes_only: true }, latency_ms: 2_000 },
    ]);
    let dropped = false;
    try {
      const run = await cli(['transfer', 'submit', await requestFile(demoTransfer()), '--watch'], {
        onStdout: (all) => {
          if (!dropped && / running /.test(all)) {
            dropped = true;
            tracker.app.server.closeAllConnections();
          }
        },
      });
      expect(dropped).toBe(true);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^the live stream (dropped \(.+\)|ended): resuming it in \d+ms$/m);
      expect(framesOf(run.stdout).at(-1)).toMatch(/completed in /);
    } finally {
      await pipeline.b.setRules([]);
    }
  });

  it('a transfer the tracker never shows is not found (4) once the wait is over', async () => {
    const run = await cli(['transfer', 'watch', 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B'], {
      timing: { notYetSeenMs: 600 },
    });
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('not yet shown by the tracker');
    expect(run.stderr).toMatch(/the tracker has not shown transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B after \d/);
  });

  it('a transfer that fails: --watch shows ERPNext’s message and exits 1; retry is accepted, cancel --watch ends it (0)', async () => {
    const body = demoTransfer({ more: { company_b_warehouse: 'Nowhere - CB' } });
    const run = await cli(['transfer', 'submit', await requestFile(body), '--watch']);
    const last = framesOf(run.stdout).at(-1) ?? '';
    expect(run.code, last + run.stderr).toBe(1);
    expect(last).toMatch(/transfer tr_\S+ {2}failed/);
    expect(last).toMatch(/\n {2}po_a failed/);
    expect(last).toContain('Warehouse "Nowhere - CB" does not exist');
    expect(last).toContain('error: ');
    expect(last).toMatch(/\n +> /);
    const id = /accepted (tr_\S+)/.exec(run.stdout)?.[1] ?? '';

    const retry = await cli(['transfer', 'retry', id, '--reason', 'try again', '--json']);
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ transfer_id: id, generation: 2 });
    const cancel = await cli(['transfer', 'cancel', id, '--watch']);
    expect(cancel.code, cancel.stdout + cancel.stderr).toBe(0);
    expect(framesOf(cancel.stdout).at(-1)).toMatch(/cancelled: every document/);
    const again = await cli(['transfer', 'cancel', id]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/^error: .+\(HTTP 409 /);
  });

  it('retry --watch follows the new generation to its end: failed on a missing warehouse, fixed, retried, completed (0)', async () => {
    const warehouse = `CLI Retry ${Date.now()}`;
    const body = demoTransfer({ more: { company_b_warehouse: `${warehouse} - CB` } });
    const failed = await cli(['transfer', 'submit', await requestFile(body), '--watch']);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(framesOf(failed.stdout).at(-1)).toContain(`Warehouse "${warehouse} - CB" does not exist`);
    const id = /accepted (tr_\S+)/.exec(failed.stdout)?.[1] ?? '';

    await pipeline.b.insertRecords([
      {
        doctype: 'Warehouse',
        warehouse_name: warehouse,
        company: DEMO_COMPANY_B,
        parent_warehouse: 'All Warehouses - CB',
      },
    ]);
    const retried = await cli(['transfer', 'retry', id, '--reason', 'warehouse added', '--watch']);
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect(retried.stdout).toMatch(new RegExp(`^retry requested for ${id} \\(generation 2\\)`));
    const last = framesOf(retried.stdout).at(-1) ?? '';
    // The watch ends on generation 2's completion, not on generation 1's failure.
    expect(last).toMatch(new RegExp(`^transfer ${id} {2}completed`));
    expect(last).toContain('generation 2');
    for (const step of ['po_a', 'pr_a', 'dn_a', 'pr_b']) expect(last).toMatch(new RegExp(`${step} done `));
    const view = JSON.parse((await cli(['transfer', 'get', id, '--json'])).stdout) as {
      status: string;
      generation: number;
    };
    expect(view).toMatchObject({ status: 'completed', generation: 2 });
  });

  it('refuses retry of a completed transfer (409: exit 5), an unknown transfer is exit 4, an invalid request exit 5 with paths', async () => {
    const id = await submitted();
    await cli(['transfer', 'watch', id]);
    const retry = await cli(['transfer', 'retry', id]);
    expect(retry.code).toBe(5);
    expect(retry.stderr).toContain('(HTTP 409 transfer_state)');
    const retryJson = await cli(['transfer', 'retry', id, '--json']);
    expect(JSON.parse(retryJson.stdout)).toMatchObject({ error: 'transfer_state' });

    const unknown = await cli(['transfer', 'get', 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B']);
    expect(unknown.code).toBe(4);

    const invalid = await cli(['transfer', 'submit', '-'], {
      stdin: JSON.stringify({ ...demoTransfer(), items: [] }),
    });
    expect(invalid.code).toBe(5);
    expect(invalid.stderr).toMatch(/\n {2}- items: /);
    const notJson = await cli(['transfer', 'submit', '-'], { stdin: '{"items": [' });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('stdin is not JSON');
  });
});

describe('instances', () => {
  it('add (the secret from stdin), list, test, update, prepare, preflight, remove against the simulator', async () => {
    const site = pipeline.a;
    const add = await cli(
      [
        'instances',
        'add',
        'company-c',
        '--name',
        'Compania C',
        '--base-url',
        site.url,
        '--api-key',
        site.apiKey,
        '--api-secret-stdin',
      ],
      { stdin: `${site.apiSecret}\n` },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added company-c');
    expect(add.stdout + add.stderr).not.toContain(site.apiSecret);

    const list = await cli(['instances', 'list']);
    expect(list.stdout).toMatch(/company-c +Compania C/);
    expect(list.stdout).not.toContain(site.apiSecret);
    const json = await cli(['instances', 'list', '--json']);
    expect((JSON.parse(json.stdout) as { instances: { id: string }[] }).instances.map((i) => i.id)).toEqual(
      expect.arrayContaining(['company-a', 'company-b', 'company-c']),
    );

    const test = await cli(['instances', 'test', 'company-c']);
    expect(test.code, test.stdout).toBe(0);
    expect(test.stdout).toMatch(/company-c: ok, ERPNext answers as /);
    const prepare = await cli(['instances', 'prepare', 'company-c']);
    expect(prepare.code, prepare.stdout).toBe(0);
    expect(prepare.stdout).toContain('company-c: prepared');
    const preflight = await cli(['instances', 'preflight', await requestFile(demoTransfer())]);
    expect(preflight.code, preflight.stdout + preflight.stderr).toBe(0);

    const remove = await cli(['instances', 'remove', 'company-c']);
    expect(remove.code).toBe(0);
    const gone = await cli(['instances', 'test', 'company-c']);
    expect(gone.code).toBe(4);

    const wrong = await cli(
      [
        'instances',
        'add',
        'company-d',
        '--name',
        'D',
        '--base-url',
        site.url,
        '--api-key',
        site.apiKey,
        '--api-secret-stdin',
      ],
      { stdin: 'not-the-secret' },
    );
    expect(wrong.code).toBe(0);
    const failing = await cli(['instances', 'test', 'company-d']);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('company-d: cannot be used');
    const fixed = await cli(
      ['instances', 'update', 'company-d', '--name', 'Compania D', '--api-secret-stdin'],
      {
        stdin: site.apiSecret,
      },
    );
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain('updated company-d (Compania D,');
    expect((await cli(['instances', 'test', 'company-d'])).code).toBe(0);
    const nothing = await cli(['instances', 'update', 'company-d']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');
    await cli(['instances', 'remove', 'company-d']);

    const noSecret = await cli([
      'instances',
      'add',
      'company-e',
      '--name',
      'E',
      '--base-url',
      site.url,
      '--api-key',
      'k',
    ]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('exactly one of --api-secret-stdin or --api-secret-file');
  });
});

describe('tokens and authentication', () => {
  it('mint prints the token once; a read-only token is refused a write (3); a revoked one is refused (3)', async () => {
    const mint = await cli(['tokens', 'mint', '--name', 'cli-test', '--scope', 'transfers:read']);
    expect(mint.code, mint.stderr).toBe(0);
    const token = mint.stdout.trim();
    expect(token.split('\n')).toHaveLength(1);
    expect(mint.stderr).toContain('shown this once');
    expect(mint.stderr).not.toContain(token);
    const id = /minted token (\S+)/.exec(mint.stderr)?.[1] ?? '';

    const list = await cli(['tokens', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${id} +cli-test +transfers:read`));
    expect(list.stdout).not.toContain(token);

    const read = await cli(['transfer', 'list', '--limit', '1'], { env: { INTERCO_TOKEN: token } });
    expect(read.code, read.stderr).toBe(0);
    const write = await cli(['transfer', 'submit', await requestFile(demoTransfer())], {
      env: { INTERCO_TOKEN: token },
    });
    expect(write.code).toBe(3);
    expect(write.stderr).toContain('HTTP 403');

    const revoke = await cli(['tokens', 'revoke', id]);
    expect(revoke.code).toBe(0);
    const refused = await cli(['transfer', 'list'], { env: { INTERCO_TOKEN: token } });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('HTTP 401');
    expect(refused.stderr).not.toContain(token);
    const again = await cli(['tokens', 'revoke', id]);
    expect(again.code).toBe(4);

    const json = await cli([
      'tokens',
      'mint',
      '--name',
      'cli-json',
      '--scope',
      'transfers:read,serials:read',
      '--json',
    ]);
    const minted = JSON.parse(json.stdout) as { token: string; record: { id: string; scopes: string[] } };
    expect(minted.record.scopes).toEqual(['transfers:read', 'serials:read']);
    await cli(['tokens', 'revoke', minted.record.id]);
  });

  it('a wrong token is 3, no token is 2, an unreachable service is 6', async () => {
    const wrong = await cli(['transfer', 'list'], { env: { INTERCO_TOKEN: 'itk_not_a_real_token' } });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).not.toContain('itk_not_a_real_token');
    const none = await cli(['transfer', 'list'], { env: { INTERCO_TOKEN: undefined } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no API token');
    const down = await cli(['transfer', 'list', '--tracker-url', 'http://127.0.0.1:1']);
    expect(down.code).toBe(6);
    expect(down.stderr).toContain('tracker at http://127.0.0.1:1 could not be reached');
  });
});

describe('tail', () => {
  it('prints the live events one line each, and Ctrl-C ends it with 0', async () => {
    const stop = new AbortController();
    let id = '';
    const tail = cli(['tail', '--json'], {
      signal: stop.signal,
      onStdout: (all) => {
        if (id !== '' && all.includes(`"transfer_id":"${id}","type":"pr_b.done"`))
          stop.abort(new Error('Ctrl-C'));
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    id = await submitted();
    const run = await tail;
    expect(run.code, run.stderr).toBe(0);
    const mine = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { transfer_id: string; type: string; seq: number })
      .filter((event) => event.transfer_id === id);
    expect(mine.map((event) => event.type)).toEqual([
      'transfer.requested',
      'po_a.done',
      'pr_a.done',
      'dn_a.done',
      'pr_b.done',
    ]);
  });
});

describe('the built CLI as a child process', () => {
  it('reads a config file’s profile and token file; submit --watch prints frames and exits 0', async () => {
    expect(existsSync(join(BIN, '../../dist/main.js')), 'build the CLI first: pnpm tsc -b').toBe(true);
    await mkdir(join(dir, '.interco'), { recursive: true });
    await writeFile(join(dir, '.interco/admin-token'), `${admin}\n`);
    await chmod(join(dir, '.interco/admin-token'), 0o600);
    await writeFile(
      join(dir, '.interco/cli.json'),
      JSON.stringify({
        default_profile: 'dev',
        profiles: {
          dev: { intake_url: pipeline.intake.url, tracker_url: tracker.url, token_file: 'admin-token' },
        },
      }),
    );
    const file = await requestFile(demoTransfer(), 'child-request.json');
    const run = await child(['--config', '.interco/cli.json', 'transfer', 'submit', file, '--watch'], {});
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('\u001b[');
    expect(framesOf(run.stdout).at(-1)).toMatch(/completed in /);
    const id = /accepted (tr_\S+)/.exec(run.stdout)?.[1] ?? '';

    const get = await child(['transfer', 'get', id, '--json'], {
      INTERCO_CONFIG: join(dir, '.interco/cli.json'),
    });
    expect(get.code, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ transfer_id: id, status: 'completed' });

    const usage = await child(['transfer', 'get', id, '--token', admin], {});
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('a token is never taken from the command line');
    expect(usage.stderr).not.toContain(admin);
  });
});
