import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SupervisedProcess } from './supervised-process.js';

/** One line the simulator's CLI prints per site once it listens (packages/erpnext-sim README). */
export const SimSiteLine = Type.Object({
  site: Type.String({ minLength: 1 }),
  url: Type.String({ minLength: 1 }),
  api_key: Type.String({ minLength: 1 }),
  api_secret: Type.String({ minLength: 1 }),
});
export type SimSite = Static<typeof SimSiteLine>;

/** A site from one stdout line of the simulator, or undefined for anything else. */
export function parseSimLine(line: string): SimSite | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return Value.Check(SimSiteLine, value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface SimOptions {
  repoRoot: string;
  portBase: number;
  stateFile: string;
  logFile: string;
  env: Record<string, string>;
  /** The sites it must print before it counts as started. */
  expectedSites: readonly string[];
  timeoutMs?: number;
}

/**
 * The simulator's demo sites as a child process (its built CLI), with a state file; resolves with
 * its process and the sites it printed (URL and credentials), once every expected site listens.
 */
export async function startSimProcess(
  options: SimOptions,
): Promise<{ process: SupervisedProcess; sites: SimSite[] }> {
  const child = SupervisedProcess.start({
    name: 'sim',
    command: globalThis.process.execPath,
    args: [
      'packages/erpnext-sim/dist/cli.js',
      ...['--sites', 'demo', '--port-base', String(options.portBase), '--state-file', options.stateFile],
    ],
    cwd: options.repoRoot,
    env: options.env,
    logFile: options.logFile,
    pipeStdout: true,
  });
  const sites: SimSite[] = [];
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the simulator has no stdout');
  const allPrinted = new Promise<void>((resolve) => {
    const lines = createInterface({ input: stdout });
    lines.on('line', (line) => {
      const site = parseSimLine(line);
      if (site === undefined) {
        appendFileSync(options.logFile, `${line}\n`);
        return;
      }
      sites.push(site);
      if (options.expectedSites.every((name) => sites.some((s) => s.site === name))) resolve();
    });
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    allPrinted.then(() => 'ok' as const),
    child.exited.then(() => 'exited' as const),
    new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (outcome === 'ok') return { process: child, sites };
  if (outcome === 'late') await child.stop(5_000);
  const why =
    outcome === 'exited' ? child.describeExit() : `did not print its sites within ${timeoutMs / 1000} s`;
  throw new Error(
    `the ERPNext simulator ${why}; the end of ${options.logFile}:\n${await child.lastLogLines()}`,
  );
}
