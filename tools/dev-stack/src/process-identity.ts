import { readFile } from 'node:fs/promises';
import { type Static, Type } from '@sinclair/typebox';

/**
 * What tells a process apart from a later one that got the same pid (after a reboot, or once the
 * pids wrap): its start time in clock ticks after boot and its command line, both from /proc.
 */
export const ProcessIdentity = Type.Object(
  {
    start_ticks: Type.Integer({ minimum: 0, description: 'field 22 of /proc/<pid>/stat' }),
    cmdline: Type.Array(Type.String(), { description: '/proc/<pid>/cmdline, split at NUL' }),
  },
  { additionalProperties: false },
);
export type ProcessIdentity = Static<typeof ProcessIdentity>;

/** The state letter and the start time of a `/proc/<pid>/stat` line; undefined when it is not one. */
export function parseProcStat(text: string): { state: string; startTicks: number } | undefined {
  // The second field, the command name in parentheses, may itself hold spaces and parentheses.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state); the start time is field 22.
  const state = fields[0];
  const startTicks = Number(fields[19]);
  if (state === undefined || state === '' || !Number.isSafeInteger(startTicks)) return undefined;
  return { state, startTicks };
}

/** `/proc/<pid>/cmdline`: the arguments, NUL-separated (and NUL-terminated). */
export function parseCmdline(raw: string): string[] {
  const args = raw.split('\0');
  if (args.at(-1) === '') args.pop();
  return args;
}

export function sameIdentity(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return (
    a.start_ticks === b.start_ticks &&
    a.cmdline.length === b.cmdline.length &&
    a.cmdline.every((arg, i) => arg === b.cmdline[i])
  );
}

export type ProcessReading =
  | { kind: 'gone' }
  | { kind: 'zombie' }
  | { kind: 'running'; identity: ProcessIdentity }
  /** No /proc here (not Linux), or it could not be read: nothing can be verified. */
  | { kind: 'unknown' };

/** Reads a process's identity from `/proc` (`procRoot` for tests). */
export async function readProcess(pid: number, procRoot = '/proc'): Promise<ProcessReading> {
  let stat: string;
  let cmdline: string;
  try {
    [stat, cmdline] = await Promise.all([
      readFile(`${procRoot}/${pid}/stat`, 'utf8'),
      readFile(`${procRoot}/${pid}/cmdline`, 'utf8'),
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'unknown' };
    // No such entry: the process is gone, unless there is no /proc at all.
    try {
      await readFile(`${procRoot}/self/stat`, 'utf8');
      return { kind: 'gone' };
    } catch {
      return { kind: 'unknown' };
    }
  }
  const parsed = parseProcStat(stat);
  if (parsed === undefined) return { kind: 'unknown' };
  if (parsed.state === 'Z' || parsed.state === 'X') return { kind: 'zombie' };
  return { kind: 'running', identity: { start_ticks: parsed.startTicks, cmdline: parseCmdline(cmdline) } };
}

/** This process's identity, or undefined without /proc. */
export async function ownIdentity(pid: number, procRoot = '/proc'): Promise<ProcessIdentity | undefined> {
  const reading = await readProcess(pid, procRoot);
  return reading.kind === 'running' ? reading.identity : undefined;
}

/**
 * Whether `pid` is still the process recorded as `recorded`: `ours` (same start time and command
 * line), `other` (the pid now belongs to another program), `gone` (no such process, or a zombie),
 * or `unverified` (it exists, but /proc cannot tell: nothing was recorded, or there is no /proc).
 * Without a record, `fallback` may judge the command line (e.g. "is it our script").
 */
export async function processStatus(
  pid: number,
  recorded: ProcessIdentity | undefined,
  options: {
    procRoot?: string;
    alive?: (pid: number) => boolean;
    fallback?: (cmdline: string[]) => boolean;
  } = {},
): Promise<'ours' | 'other' | 'gone' | 'unverified'> {
  const alive = options.alive ?? isProcessAlive;
  if (!alive(pid)) return 'gone';
  const reading = await readProcess(pid, options.procRoot);
  switch (reading.kind) {
    case 'gone':
    case 'zombie':
      return 'gone';
    case 'unknown':
      return 'unverified';
    case 'running':
      if (recorded !== undefined) return sameIdentity(recorded, reading.identity) ? 'ours' : 'other';
      if (options.fallback !== undefined)
        return options.fallback(reading.identity.cmdline) ? 'ours' : 'other';
      return 'unverified';
  }
}

/** Whether a process with this pid exists (a process of another user counts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
