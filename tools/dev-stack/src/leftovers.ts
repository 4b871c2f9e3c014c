import { processStatus } from './process-identity.js';
import type { StackFile } from './stack-file.js';

/** A child named in a stale stack.json whose pid is still alive. */
export interface Leftover {
  name: string;
  pid: number;
  /** `ours`: verified the same process (start time and command line); `other`: the pid was reused; `unverified`: no /proc. */
  status: 'ours' | 'other' | 'unverified';
}

/** The children of a stale stack that still run, judged against what stack.json recorded. */
export async function findLeftovers(
  stack: StackFile,
  options: { procRoot?: string; alive?: (pid: number) => boolean } = {},
): Promise<Leftover[]> {
  const found: Leftover[] = [];
  for (const { name, pid, identity } of stack.processes) {
    const status = await processStatus(pid, identity, options);
    if (status !== 'gone') found.push({ name, pid, status });
  }
  return found;
}

/** How long a child of the stack may take to stop after SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 15_000;

const SERVERS = new Set(['nats', 'mongo']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function terminate(pids: readonly number[], graceMs: number): Promise<number[]> {
  const signal = (pid: number, name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // Gone meanwhile.
    }
  };
  // A zombie (ended, not yet reaped by whoever adopted it) counts as gone.
  const stillRunning = async (candidates: readonly number[]) => {
    const statuses = await Promise.all(candidates.map((pid) => processStatus(pid, undefined)));
    return candidates.filter((_, i) => statuses[i] !== 'gone');
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let left = await stillRunning(pids);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = await stillRunning(left);
  }
  for (const pid of left) signal(pid, 'SIGKILL');
  return left;
}

/**
 * Stops the verified leftovers (`ours`) the way the stack stops: the services and the simulator
 * with SIGTERM first, then Mongo and NATS, each SIGKILLed after `graceMs`. Anything else is left
 * alone. Answers the names of those that had to be killed.
 */
export async function stopLeftovers(leftovers: readonly Leftover[], graceMs: number): Promise<string[]> {
  const ours = leftovers.filter((l) => l.status === 'ours');
  const killed: string[] = [];
  for (const phase of [ours.filter((l) => !SERVERS.has(l.name)), ours.filter((l) => SERVERS.has(l.name))]) {
    const late = await terminate(
      phase.map((l) => l.pid),
      graceMs,
    );
    killed.push(...phase.filter((l) => late.includes(l.pid)).map((l) => l.name));
  }
  return killed;
}

const list = (leftovers: readonly Leftover[]) =>
  leftovers.map(({ name, pid }) => `${name} (pid ${pid})`).join(', ');

/** What a person is told about the leftovers, before they are stopped: one line per kind. */
export function leftoverReport(leftovers: readonly Leftover[]): { say: string[]; complain: string[] } {
  const ours = leftovers.filter((l) => l.status === 'ours');
  const other = leftovers.filter((l) => l.status === 'other');
  const unverified = leftovers.filter((l) => l.status === 'unverified');
  const say: string[] = [];
  const complain: string[] = [];
  if (ours.length > 0)
    say.push(`its children still run: ${list(ours)}; stopping them (SIGTERM, then SIGKILL)`);
  if (other.length > 0) {
    say.push(`pids now used by other programs, left alone: ${list(other)}`);
  }
  if (unverified.length > 0) {
    complain.push(
      `these pids are alive but cannot be checked to be its children (no /proc): ${list(unverified)}; ` +
        `if they are, stop them with kill ${unverified.map(({ pid }) => pid).join(' ')}`,
    );
  }
  return { say, complain };
}

/**
 * A stale stack.json (its supervisor is gone, e.g. killed with SIGKILL): reports its children
 * that still run and stops those verified to be them; then the file can go.
 */
export async function clearStaleStack(
  stack: StackFile,
  io: { say: (line: string) => void; complain: (line: string) => void },
): Promise<void> {
  const leftovers = await findLeftovers(stack);
  const report = leftoverReport(leftovers);
  for (const line of report.say) io.say(line);
  for (const line of report.complain) io.complain(line);
  const killed = await stopLeftovers(leftovers, STOP_GRACE_MS);
  if (killed.length > 0) io.say(`killed (did not stop on SIGTERM): ${killed.join(', ')}`);
  if (leftovers.some((l) => l.status === 'ours')) io.say('the leftover children are stopped');
}
