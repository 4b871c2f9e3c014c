import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeExit, type ProcessExit } from '@interco/testkit';

export interface SupervisedProcessOptions {
  /** What the stack calls it: `intake`, `sim`, ... */
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr are appended to this file (unless `pipeStdout`, then only stderr). */
  logFile: string;
  /** Hand stdout to the caller (`stdout`) instead of the log file. */
  pipeStdout?: boolean;
}

/**
 * A child process of the stack: its output appended to its log file (which outlives it), its
 * end observed, and a graceful stop (SIGTERM, then SIGKILL after a grace period).
 */
export class SupervisedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly pid: number | undefined;
  readonly exited: Promise<ProcessExit>;
  readonly stdout: NodeJS.ReadableStream | null;
  #exit: ProcessExit | undefined;
  readonly #kill: (signal: NodeJS.Signals) => void;

  private constructor(options: SupervisedProcessOptions) {
    this.name = options.name;
    this.logFile = options.logFile;
    const log = openSync(options.logFile, 'a', 0o600);
    try {
      const child = spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', options.pipeStdout === true ? 'pipe' : log, log],
        // Its own process group: a terminal's Ctrl-C reaches only the supervisor, which stops
        // the children in order (services first, servers last).
        detached: true,
      });
      this.pid = child.pid;
      this.stdout = child.stdout;
      this.#kill = (signal) => {
        if (this.#exit === undefined) child.kill(signal);
      };
      this.exited = new Promise((resolve) => {
        const finish = (exit: ProcessExit) => {
          if (this.#exit !== undefined) return;
          this.#exit = exit;
          process.off('exit', killOnExit);
          resolve(exit);
        };
        child.once('exit', (code, signal) => finish({ code, signal }));
        child.once('error', (error) => finish({ code: null, signal: null, error }));
      });
      // A supervisor that dies without stopping its children takes them along where it can.
      const killOnExit = () => child.kill('SIGKILL');
      process.on('exit', killOnExit);
    } finally {
      closeSync(log);
    }
  }

  static start(options: SupervisedProcessOptions): SupervisedProcess {
    return new SupervisedProcess(options);
  }

  /** How it ended, or undefined while it runs. */
  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /** SIGTERM, then SIGKILL when it has not ended after `graceMs`. */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const first = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (first === 'late') this.#kill('SIGKILL');
    return this.exited;
  }

  /** The last lines of its log file, indented, for a report. */
  async lastLogLines(count = 15): Promise<string> {
    return lastLines(this.logFile, count);
  }

  describeExit(): string {
    return this.#exit === undefined ? 'is running' : describeExit(this.#exit);
  }
}

/** The last `count` non-empty lines of a file (read from its last 64 KiB), indented. */
export async function lastLines(path: string, count: number): Promise<string> {
  let text = '';
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const length = Math.min(size, 65_536);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return '  (no log)';
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const tail = lines.slice(-count);
  return tail.length === 0 ? '  (no output)' : tail.map((line) => `  ${line}`).join('\n');
}
