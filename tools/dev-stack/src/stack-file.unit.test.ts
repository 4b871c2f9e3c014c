import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stackSummary } from './dev-main.js';
import { stackLayout } from './layout.js';
import {
  isProcessAlive,
  parseStackFile,
  readStackFile,
  removeStackFile,
  type StackFile,
  writeStackFile,
} from './stack-file.js';
import { fakeProc } from './test-support/fake-proc.js';

const stack: StackFile = {
  version: 1,
  pid: 4242,
  started_at: '2026-12-05T10:00:00.000Z',
  dir: '/repo/.interco',
  port_base: 8080,
  cli_config: '/repo/.interco/cli.json',
  intake_url: 'http://127.0.0.1:8080',
  tracker_url: 'http://127.0.0.1:8085',
  services: { intake: 'http://127.0.0.1:8080', tracker: 'http://127.0.0.1:8085' },
  nats_url: 'nats://127.0.0.1:8090',
  mongo_url: 'mongodb://127.0.0.1:8092/',
  sites: { 'company-a': 'http://127.0.0.1:8100', 'company-b': 'http://127.0.0.1:8101' },
  processes: [{ name: 'intake', pid: 4243 }],
};

describe('parseStackFile', () => {
  it('accepts a stack file and refuses anything else, naming the problem', () => {
    expect(parseStackFile(JSON.stringify(stack))).toEqual({ ok: true, stack });
    expect(parseStackFile('{')).toEqual({ ok: false, message: 'is not JSON' });
    const { pid: _pid, ...noPid } = stack;
    expect(parseStackFile(JSON.stringify(noPid))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/pid/),
    });
    expect(parseStackFile(JSON.stringify({ ...stack, version: 2 }))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/\/version/),
    });
  });
});

describe('the stack file on disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dev-stack-file-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'stack.json');

  it('is written atomically and read back; running or stale by whether its pid lives', async () => {
    expect(await readStackFile(path)).toEqual({ kind: 'none' });
    await writeStackFile(path, stack);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(stack);
    // No /proc (not Linux): a live pid is all there is to go by.
    const noProc = join(dir, 'no-proc');
    expect(await readStackFile(path, { alive: () => true, procRoot: noProc })).toEqual({
      kind: 'running',
      stack,
    });
    expect(await readStackFile(path, { alive: () => false })).toEqual({ kind: 'stale', stack });
    await removeStackFile(path);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    await removeStackFile(path);
  });

  it('is stale when its pid now belongs to another program (reused after a reboot)', async () => {
    const proc = await fakeProc(dir, {
      4242: { startTicks: 900, cmdline: ['node', '/repo/tools/dev-stack/dist/dev.js'] },
    });
    const alive = () => true;
    const recorded = { start_ticks: 900, cmdline: ['node', '/repo/tools/dev-stack/dist/dev.js'] };
    await writeStackFile(path, { ...stack, identity: recorded });
    expect((await readStackFile(path, { alive, procRoot: proc })).kind).toBe('running');
    await writeStackFile(path, { ...stack, identity: { ...recorded, start_ticks: 12 } });
    expect((await readStackFile(path, { alive, procRoot: proc })).kind).toBe('stale');

    // An older file without the identity: the command line must be our dev or demo script.
    await writeStackFile(path, stack);
    expect((await readStackFile(path, { alive, procRoot: proc })).kind).toBe('running');
    const other = await fakeProc(join(dir, 'other'), {
      4242: { startTicks: 5, cmdline: ['/usr/sbin/sshd', '-D'] },
    });
    expect((await readStackFile(path, { alive, procRoot: other })).kind).toBe('stale');
    // A zombie, or an entry gone meanwhile, is not running either.
    const zombie = await fakeProc(join(dir, 'zombie'), {
      4242: { startTicks: 900, cmdline: [], state: 'Z' },
    });
    expect((await readStackFile(path, { alive, procRoot: zombie })).kind).toBe('stale');
    const empty = await fakeProc(join(dir, 'empty'), {});
    expect((await readStackFile(path, { alive, procRoot: empty })).kind).toBe('stale');
  });

  it('reports a file that is not a stack file', async () => {
    await writeFile(path, '[]');
    expect(await readStackFile(path)).toEqual({ kind: 'invalid', message: expect.stringContaining(path) });
  });
});

describe('isProcessAlive', () => {
  it('is true for this process and false for a pid that does not exist', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(2 ** 22 + 1)).toBe(false);
  });
});

describe('stackSummary', () => {
  it('lists every URL with its log, and says how to use the CLI and how to stop', () => {
    const summary = stackSummary(stack, stackLayout('/repo/.interco'));
    expect(summary).toMatch(/^ {2}intake +http:\/\/127\.0\.0\.1:8080 +\/repo\/.interco\/logs\/intake.log$/m);
    expect(summary).toMatch(/company-a\s+http:\/\/127\.0\.0\.1:8100\s+ERPNext simulator/);
    expect(summary).toContain('/repo/.interco/logs/tracker.log');
    expect(summary).toContain('export INTERCO_CONFIG=/repo/.interco/cli.json');
    expect(summary).toContain('kill -TERM 4242');
    expect(summary).toContain(
      'The operations console: http://127.0.0.1:8085/console/ (sign in with the token in /repo/.interco/admin-token)',
    );
  });
});
