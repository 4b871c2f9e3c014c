/** What the CLI reads and writes, injected: main.ts gives the process's, tests their own. */

export interface OutStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** The terminal's width (a TTY's `columns`). */
  readonly columns?: number;
}

/** The pauses of --watch and tail (tests shorten them). */
export interface WatchTiming {
  /** Between two reads when polling (default 1 s). */
  readonly pollMs: number;
  /** How long a transfer just submitted may stay unknown to the tracker (default 30 s). */
  readonly notYetSeenMs: number;
  /** A re-read while following the live stream, in case an event was missed (default 15 s). */
  readonly refreshMs: number;
  /** After the live stream failed: how long to poll before trying it again (default 30 s). */
  readonly liveRetryMs: number;
  /** How often a terminal display is redrawn for the elapsed times (default 1 s). */
  readonly tickMs: number;
  /** How long a tracker that stopped answering mid-watch is waited for (default 60 s). */
  readonly unreachableMs: number;
}

export const DEFAULT_TIMING: WatchTiming = {
  pollMs: 1_000,
  notYetSeenMs: 30_000,
  refreshMs: 15_000,
  liveRetryMs: 30_000,
  tickMs: 1_000,
  unreachableMs: 60_000,
};

export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** Read by `transfer submit -` and `--api-secret-stdin`. */
  readonly stdin: AsyncIterable<Buffer | string>;
  /** stdin is a terminal (a secret typed there would be echoed: --api-secret-stdin refuses it). */
  readonly stdinIsTTY?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homeDir: string;
  readFile(path: string): Promise<string>;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal?: AbortSignal;
  /** Default Date.now. */
  readonly now?: () => number;
  readonly timing?: Partial<WatchTiming>;
}

/** Waits `ms`, or rejects with the signal's reason once it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Everything `stdin` gives, as text. */
export async function readAll(input: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
