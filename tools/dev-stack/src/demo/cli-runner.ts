import { spawn } from 'node:child_process';
import type { Environment } from '../args.js';

/** The CLI as the demo runs it, relative to the repository root. */
export const CLI_ENTRY = 'packages/cli/bin/interco.js';

/**
 * Whether a variable configures the CLI (packages/cli/src/config/resolve-config.ts): every
 * `INTERCO_*` (the config file and profile, the URLs and token that win over the profile's), and
 * XDG_CONFIG_HOME, where the default config file is. A caller's `INTERCO_PROFILE=prod` or
 * `INTERCO_TOKEN` must not steer the demo's CLI: it needs only the INTERCO_CONFIG it is given.
 */
function configuresCli(name: string): boolean {
  return name.startsWith('INTERCO_') || name === 'XDG_CONFIG_HOME';
}

/** The CLI's environment: the caller's without any CLI-configuring variable, with INTERCO_CONFIG set to the stack's config. */
export function cliEnv(env: Environment, configPath: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !configuresCli(name)) result[name] = value;
  }
  result.INTERCO_CONFIG = configPath;
  return result;
}

export interface CliRun {
  code: number;
  /** Only when captured. */
  stdout: string;
}

export interface CliRunner {
  /** Runs `interco <args>` with its output on this terminal (the live frames). */
  show(args: readonly string[]): Promise<CliRun>;
  /** Runs `interco <args>` and answers what it printed on stdout (stderr stays on this terminal). */
  capture(args: readonly string[]): Promise<CliRun>;
}

/** A runner of the CLI as a child process (`node packages/cli/bin/interco.js`). */
export function cliRunner(options: { repoRoot: string; env: Record<string, string> }): CliRunner {
  const run = (args: readonly string[], capture: boolean) =>
    new Promise<CliRun>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
        cwd: options.repoRoot,
        env: options.env,
        stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
      });
      const chunks: Buffer[] = [];
      child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.once('error', reject);
      child.once('close', (code, signal) => {
        resolve({
          code: code ?? (signal === null ? 1 : 128),
          stdout: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
  return { show: (args) => run(args, false), capture: (args) => run(args, true) };
}
