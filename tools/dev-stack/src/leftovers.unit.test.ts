import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findLeftovers, type Leftover, leftoverReport, stopLeftovers } from './leftovers.js';
import { isProcessAlive, ownIdentity } from './process-identity.js';
import type { StackFile } from './stack-file.js';
import { fakeProc } from './test-support/fake-proc.js';

const stack = (processes: StackFile['processes']): StackFile => ({
  version: 1,
  pid: 4242,
  started_at: '2026-12-05T10:00:00.000Z',
  dir: '/d',
  port_base: 8080,
  cli_config: '/d/cli.json',
  intake_url: 'http://127.0.0.1:8080',
  tracker_url: 'http://127.0.0.1:8085',
  services: {},
  nats_url: 'nats://127.0.0.1:8090',
  mongo_url: 'mongodb://127.0.0.1:8092/',
  sites: {},
  processes,
});

describe('findLeftovers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dev-stack-leftovers-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names each child still alive, and whether it is verified to be the recorded one', async () => {
    const nats = { start_ticks: 70, cmdline: ['nats-server', '-sd', '/d/nats'] };
    const intake = { start_ticks: 80, cmdline: ['node', 'services/intake/dist/main.js'] };
    const procRoot = await fakeProc(dir, {
      101: { startTicks: 70, cmdline: nats.cmdline },
      102: { startTicks: 3, cmdline: ['bash'] },
      104: { startTicks: 90, cmdline: ['node', 'x.js'] },
    });
    const found = await findLeftovers(
      stack([
        { name: 'nats', pid: 101, identity: nats },
        { name: 'intake', pid: 102, identity: intake },
        { name: 'tracker', pid: 103, identity: intake },
        { name: 'sim', pid: 104 },
      ]),
      { procRoot, alive: () => true },
    );
    expect(found).toEqual([
      { name: 'nats', pid: 101, status: 'ours' },
      { name: 'intake', pid: 102, status: 'other' },
      { name: 'sim', pid: 104, status: 'unverified' },
    ]);
    const report = leftoverReport(found);
    expect(report.say).toEqual([
      'its children still run: nats (pid 101); stopping them (SIGTERM, then SIGKILL)',
      'pids now used by other programs, left alone: intake (pid 102)',
    ]);
    expect(report.complain).toEqual([
      expect.stringMatching(/cannot be checked .*sim \(pid 104\).*kill 104$/),
    ]);
  });
});

describe('stopLeftovers', () => {
  it('stops the verified ones only: SIGTERM, then SIGKILL after the grace period', async () => {
    const polite = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const stubborn = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((resolve) => stubborn.stdout?.once('data', resolve));
    const pids = [polite.pid, stubborn.pid, bystander.pid].map((pid) => pid ?? 0);
    try {
      expect(await ownIdentity(pids[0] ?? 0)).toBeDefined();
      const leftovers: Leftover[] = [
        { name: 'intake', pid: pids[0] ?? 0, status: 'ours' },
        { name: 'nats', pid: pids[1] ?? 0, status: 'ours' },
        { name: 'sim', pid: pids[2] ?? 0, status: 'other' },
      ];
      const ended = [polite, stubborn].map((child) => new Promise((resolve) => child.once('exit', resolve)));
      expect(await stopLeftovers(leftovers, 500)).toEqual(['nats']);
      await Promise.all(ended);
      expect(polite.signalCode).toBe('SIGTERM');
      expect(stubborn.signalCode).toBe('SIGKILL');
      expect(isProcessAlive(pids[2] ?? 0)).toBe(true);
    } finally {
      for (const child of [polite, stubborn, bystander]) child.kill('SIGKILL');
    }
  });
});
