import { findFerretDbBinary, inspectFerretDbBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { LocalServer, type LocalServerInit } from './local-server.js';
import { ServerProcess } from './server-process.js';
import { makeTempDir } from './temp-dir.js';

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
  /** Run it in its own process group: a terminal's Ctrl-C does not reach it (the caller stops it). */
  detached?: boolean;
  /** Also append its stdout and stderr to this file as they come (`output()` keeps the recent tail). */
  outputFile?: string;
}

const HOST = '127.0.0.1';
const READY = /interco-ferretdb: listening on (mongodb:\/\/\S+)/;

/**
 * A MongoDB-wire server (FerretDB with its SQLite backend, via tools/ferretdb's launcher) run
 * from a local binary, for tests: on 127.0.0.1, a free port, and a temporary data folder.
 * `stop()` and `restart()` keep port and data; `dispose()` also deletes the temporary folder.
 */
export class LocalFerretDb extends LocalServer {
  readonly port: number;
  readonly dataDir: string;
  readonly #options: LocalFerretDbOptions;

  private constructor(
    init: LocalServerInit & { port: number; dataDir: string },
    options: LocalFerretDbOptions,
  ) {
    super(init);
    this.port = init.port;
    this.dataDir = init.dataDir;
    this.#options = options;
  }

  /** Starts a server and resolves once it accepts connections. */
  static async start(options: LocalFerretDbOptions = {}): Promise<LocalFerretDb> {
    const binary =
      options.bin === undefined ? await findFerretDbBinary() : await inspectFerretDbBinary(options.bin);
    const tempDir = options.dataDir === undefined ? await makeTempDir('interco-ferretdb-') : undefined;
    const dataDir = options.dataDir ?? tempDir?.path ?? '';
    const make = async () =>
      new LocalFerretDb(
        {
          bin: binary.path,
          version: binary.version,
          tempDir,
          stopTimeoutMs: options.stopTimeoutMs,
          port: options.port ?? (await freePort(HOST)),
          dataDir,
        },
        options,
      );
    return LocalServer.launchFirst(make, options.port !== undefined, tempDir);
  }

  get url(): string {
    return `mongodb://${HOST}:${this.port}/`;
  }

  protected spawn(): ServerProcess {
    const args = ['-listen-addr', `${HOST}:${this.port}`, '-data-dir', this.dataDir];
    return ServerProcess.spawn(this.bin, [...args, '-log-level', this.#options.logLevel ?? 'warn'], {
      detached: this.#options.detached,
      outputFile: this.#options.outputFile,
    });
  }

  protected async waitUntilReady(process: ServerProcess): Promise<void> {
    const timeoutMs = this.#options.startTimeoutMs ?? 30_000;
    await process.waitForOutput(READY, timeoutMs, `FerretDB (${this.bin}) on port ${this.port}`);
  }
}
