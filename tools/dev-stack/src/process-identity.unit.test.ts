import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownIdentity, parseCmdline, parseProcStat, processStatus, sameIdentity } from './process-identity.js';
import { fakeProc } from './test-support/fake-proc.js';

describe('parseProcStat and parseCmdline', () => {
  it('reads the state and field 22, whatever the command name holds', () => {
    const line =
      '1234 (node (x) y) S 1 1234 1234 0 -1 4194560 3000 0 0 0 10 5 0 0 20 0 11 0 987654 1000000 5000\n';
    expect(parseProcStat(line)).toEqual({ state: 'S', startTicks: 987654 });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('1 (x) S 1 2')).toBeUndefined();
  });

  it('splits the command line at NUL', () => {
    expect(parseCmdline('node\0/repo/tools/dev-stack/dist/dev.js\0--dir\0/tmp/a b\0')).toEqual([
      'node',
      '/repo/tools/dev-stack/dist/dev.js',
      '--dir',
      '/tmp/a b',
    ]);
    expect(parseCmdline('')).toEqual([]);
  });

  it('reads this very process from the real /proc', async () => {
    const identity = await ownIdentity(process.pid);
    expect(identity?.start_ticks).toBeGreaterThan(0);
    expect(identity?.cmdline[0]).toMatch(/node/);
    expect(
      sameIdentity(
        identity ?? { start_ticks: 0, cmdline: [] },
        (await ownIdentity(process.pid)) ?? { start_ticks: 0, cmdline: [] },
      ),
    ).toBe(true);
  });
});

describe('processStatus', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dev-stack-proc-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const nats = { start_ticks: 500, cmdline: ['/home/u/.cache/interco/bin/nats-server', '-sd', '/d/nats'] };
  const alive = () => true;

  it('is ours only when the start time and the command line match the record', async () => {
    const procRoot = await fakeProc(join(dir, 'a'), {
      10: { startTicks: 500, cmdline: nats.cmdline },
      11: { startTicks: 501, cmdline: nats.cmdline },
      12: { startTicks: 500, cmdline: ['bash'] },
      13: { startTicks: 500, cmdline: nats.cmdline, state: 'Z' },
    });
    expect(await processStatus(10, nats, { alive, procRoot })).toBe('ours');
    expect(await processStatus(11, nats, { alive, procRoot })).toBe('other');
    expect(await processStatus(12, nats, { alive, procRoot })).toBe('other');
    expect(await processStatus(13, nats, { alive, procRoot })).toBe('gone');
    expect(await processStatus(14, nats, { alive, procRoot })).toBe('gone');
    expect(await processStatus(10, nats, { alive: () => false, procRoot })).toBe('gone');
    // Nothing recorded: only a fallback judgement can verify it.
    expect(await processStatus(10, undefined, { alive, procRoot })).toBe('unverified');
    expect(await processStatus(10, undefined, { alive, procRoot, fallback: () => true })).toBe('ours');
  });

  it('is unverified without /proc', async () => {
    expect(await processStatus(10, nats, { alive, procRoot: join(dir, 'none') })).toBe('unverified');
  });
});
