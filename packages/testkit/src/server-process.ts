import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { killAtExit } from './exit-cleanup.js';
import { OutputTail } from './output-tail.js';

/** How a server process ended: its exit code or signal, or why it could not be started. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export function describeExit(exit: ProcessExit): string {
  if (exit.error !== undefined) return `could not be started (${exit.error.message})`;
  if (exit.signal !== null) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

/**
 * A server running as a child process. Its stdout and stderr go to a bounded buffer (never to
 * this process's own output), it does not keep this process alive, and it is SIGKILLed if this
 * process exits first.
 */
export class ServerProcess {
  readonly output = new OutputTail();
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;
  readonly #child: ChildProcess;
  readonly #onOutput = new Set<() => void>();

  private constructor(child: ChildProcess, outputFile: WriteStream | undefined) {
    this.#child = child;
    // Errors writing the copy (a full disk) must not take the caller down; the tail still has it.
    outputFile?.on('error', () => undefined);
    child.once('close', () => outputFile?.end());
    const forget = killAtExit(child);
    this.exited = new Promise((resolve) => {
      const finish = (exit: ProcessExit) => {
        if (this.#exit !== undefined) return;
        this.#exit = exit;
        forget();
        resolve(exit);
        this.#notify();
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.once('error', (error) => finish({ code: null, signal: null, error }));
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.output.append(chunk);
        outputFile?.write(chunk);
        this.#notify();
      });
    }
    child.unref();
  }

  /**
   * `detached`: the process gets its own process group, so a terminal's Ctrl-C (SIGINT to the
   * foreground group) reaches only the caller, which stops it when and how it chooses.
   * `outputFile`: its output is also appended to this file as it comes (created 0600 if missing).
   */
  static spawn(
    command: string,
    args: readonly string[],
    options: { detached?: boolean | undefined; outputFile?: string | undefined } = {},
  ): ServerProcess {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached === true,
    });
    // Pipes keep the event loop alive as much as the process handle does.
    for (const stream of [child.stdout, child.stderr]) {
      if (stream !== null && 'unref' in stream && typeof stream.unref === 'function') stream.unref();
    }
    const outputFile =
      options.outputFile === undefined
        ? undefined
        : createWriteStream(options.outputFile, { flags: 'a', mode: 0o600 });
    return new ServerProcess(child, outputFile);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** How the process ended, or undefined while it runs. */
  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /**
   * Resolves with the first match of `pattern` in the output; rejects when the process ends
   * first or after `timeoutMs`, with the output's tail in the message.
   */
  waitForOutput(pattern: RegExp, timeoutMs: number, label: string): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.output.text().match(pattern);
        if (match !== null) return done(() => resolve(match));
        if (this.#exit !== undefined) {
          const why = describeExit(this.#exit);
          return done(() =>
            reject(new Error(`${label} ${why}; its last output:\n${this.output.lastLines()}`)),
          );
        }
      };
      const timer = setTimeout(() => {
        done(() =>
          reject(
            new Error(
              `${label} did not print ${pattern} within ${timeoutMs} ms; its last output:\n${this.output.lastLines()}`,
            ),
          ),
        );
      }, timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.#onOutput.delete(check);
        settle();
      };
      this.#onOutput.add(check);
      check();
    });
  }

  /** SIGTERM, then SIGKILL when the process has not ended after `graceMs`. */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.#child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const first = await Promise.race([this.exited, graceOver]);
    clearTimeout(timer);
    if (first === 'late') this.#child.kill('SIGKILL');
    return this.exited;
  }

  #notify(): void {
    for (const listener of [...this.#onOutput]) listener();
  }
}
