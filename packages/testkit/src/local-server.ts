import type { ServerProcess } from './server-process.js';
import type { TempDir } from './temp-dir.js';

/** What every local test server shares: binary, version, ports, data folder, lifecycle. */
export interface LocalServerInit {
  bin: string;
  version: string;
  tempDir: TempDir | undefined;
  stopTimeoutMs: number | undefined;
}

/**
 * A server run from a local binary for tests. `stop()` and `restart()` keep its ports and data,
 * so a test can take it away and bring it back intact; `dispose()` stops it for good and deletes
 * the temporary folder it was given. Subclasses say how to launch it and when it is ready.
 */
export abstract class LocalServer {
  readonly bin: string;
  /** The version the binary reported. */
  readonly version: string;
  readonly #tempDir: TempDir | undefined;
  readonly #stopTimeoutMs: number;
  #process: ServerProcess | undefined;

  protected constructor(init: LocalServerInit) {
    this.bin = init.bin;
    this.version = init.version;
    this.#tempDir = init.tempDir;
    this.#stopTimeoutMs = init.stopTimeoutMs ?? 10_000;
  }

  abstract get url(): string;

  /** Spawns the server process. */
  protected abstract spawn(): ServerProcess;

  /** Resolves once the server is ready; rejects, with its output, when it is not. */
  protected abstract waitUntilReady(process: ServerProcess): Promise<void>;

  /** The server process's pid while it runs (undefined before it starts and after it ends). */
  get pid(): number | undefined {
    return this.running ? this.#process?.pid : undefined;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exit === undefined;
  }

  /** The server's recent stdout and stderr. */
  output(): string {
    return this.#process?.output.text() ?? '';
  }

  /** Graceful stop: SIGTERM, then SIGKILL after the stop timeout. Ports and data are kept. */
  async stop(): Promise<void> {
    await this.#process?.stop(this.#stopTimeoutMs);
  }

  /** Stops the server if it runs, then starts it again on the same ports with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the server and deletes its data folder if it was a temporary one. */
  async dispose(): Promise<void> {
    await this.stop();
    await this.#tempDir?.remove();
  }

  protected async launch(): Promise<void> {
    if (this.running) throw new Error(`the server at ${this.url} is already running`);
    const process = this.spawn();
    this.#process = process;
    try {
      await this.waitUntilReady(process);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Launches servers made by `make` until one starts: a free port can be taken by someone else
   * before the server binds it, so a clash is tried again on new ports (unless they were fixed).
   */
  protected static async launchFirst<T extends LocalServer>(
    make: () => Promise<T>,
    portsFixed: boolean,
    tempDir: TempDir | undefined,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const server = await make();
      try {
        await server.launch();
        return server;
      } catch (error) {
        const portTaken = error instanceof Error && /address already in use/i.test(error.message);
        if (!portTaken || portsFixed || attempt >= 3) {
          await tempDir?.remove();
          throw error;
        }
      }
    }
  }
}
