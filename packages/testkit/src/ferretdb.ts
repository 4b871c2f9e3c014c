import { findFerretDbBinary, inspectFerretDbBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { ServerProcess } from './server-process.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

export interface LocalFerretDbOptions {
  /** The interco-ferretdb launcher (tools/ferretdb); looked up like `findFerretDbBinary()` does when absent. */
  bin?: string;
  /** Port; a free one when absent. */
  port?: number;
  /** SQLite data folder, kept by `dispose()`; a new temporary folder, deleted by `dispose()`, when absent. */
  dataDir?: string;
  /** How long to wait for the "listening on" line. Default 30 s. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
  /** FerretDB's log level (debug, info, warn, error). Default warn. */
  logLevel?: string;
}

const HOST = '127.0.0.1';
const READY = /interco-ferretdb: listening on (mongodb:\/\/\S+)/;

/**
 * A MongoDB-wire server (FerretDB with its SQLite backend, via tools/ferretdb's launcher) run
 * from a local binary, for tests: on 127.0.0.1, a free port, and a temporary data folder.
 * `stop()` and `restart()` keep port and data; `dispose()` also deletes the temporary folder.
 */
export class LocalFerretDb {
  readonly bin: string;
  /** The FerretDB version the launcher reported, e.g. `v1.24.2`. */
  readonly version: string;
  readonly port: number;
  readonly dataDir: string;
  readonly #tempDir: TempDir | undefined;
  readonly #options: LocalFerretDbOptions;
  #process: ServerProcess | undefined;
  #url: string;

  private constructor(init: {
    bin: string;
    version: string;
    port: number;
    dataDir: string;
    tempDir: TempDir | undefined;
    options: LocalFerretDbOptions;
  }) {
    this.bin = init.bin;
    this.version = init.version;
    this.port = init.port;
    this.dataDir = init.dataDir;
    this.#tempDir = init.tempDir;
    this.#options = init.options;
    this.#url = `mongodb://${HOST}:${init.port}/`;
  }

  /** Starts a server and resolves once it accepts connections. */
  static async start(options: LocalFerretDbOptions = {}): Promise<LocalFerretDb> {
    const binary =
      options.bin === undefined ? await findFerretDbBinary() : await inspectFerretDbBinary(options.bin);
    const tempDir = options.dataDir === undefined ? await makeTempDir('interco-ferretdb-') : undefined;
    const dataDir = options.dataDir ?? tempDir?.path ?? '';
    // Free ports can be taken by someone else before FerretDB binds them: try new ones.
    for (let attempt = 1; ; attempt++) {
      const server = new LocalFerretDb({
        bin: binary.path,
        version: binary.version,
        port: options.port ?? (await freePort(HOST)),
        dataDir,
        tempDir,
        options,
      });
      try {
        await server.#launch();
        return server;
      } catch (error) {
        await server.stop();
        const portTaken = error instanceof Error && /address already in use/i.test(error.message);
        if (!portTaken || options.port !== undefined || attempt >= 3) {
          await tempDir?.remove();
          throw error;
        }
      }
    }
  }

  /** The connection string the server printed, e.g. `mongodb://127.0.0.1:40000/`. */
  get url(): string {
    return this.#url;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exit === undefined;
  }

  /** The server's recent stdout and stderr. */
  output(): string {
    return this.#process?.output.text() ?? '';
  }

  /** Graceful stop: SIGTERM, then SIGKILL after `stopTimeoutMs`. Port and data are kept for `restart()`. */
  async stop(): Promise<void> {
    await this.#process?.stop(this.#options.stopTimeoutMs ?? 10_000);
  }

  /** Stops the server if it runs, then starts it again on the same port with the same data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#launch();
  }

  /** Stops the server and deletes its data folder if `start()` created it. */
  async dispose(): Promise<void> {
    await this.stop();
    await this.#tempDir?.remove();
  }

  async #launch(): Promise<void> {
    if (this.running) throw new Error(`FerretDB at ${this.url} is already running`);
    const args = ['-listen-addr', `${HOST}:${this.port}`, '-data-dir', this.dataDir];
    args.push('-log-level', this.#options.logLevel ?? 'warn');
    const proc = ServerProcess.spawn(this.bin, args);
    this.#process = proc;
    const timeoutMs = this.#options.startTimeoutMs ?? 30_000;
    const ready = await proc.waitForOutput(READY, timeoutMs, `FerretDB (${this.bin}) on port ${this.port}`);
    this.#url = ready[1] ?? this.#url;
  }
}
