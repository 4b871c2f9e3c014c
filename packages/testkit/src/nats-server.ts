import { findNatsServerBinary, inspectNatsServerBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { httpStatus } from './http-probe.js';
import { LocalServer, type LocalServerInit } from './local-server.js';
import { describeExit, ServerProcess } from './server-process.js';
import { makeTempDir } from './temp-dir.js';

export interface LocalNatsServerOptions {
  /** The nats-server executable; looked up like `findNatsServerBinary()` does when absent. */
  bin?: string;
  /** Client port; a free one when absent. */
  port?: number;
  /** Monitoring (HTTP) port, used for the health check; a free one when absent. */
  monitorPort?: number;
  /** JetStream store folder, kept by `dispose()`; a new temporary folder, deleted by `dispose()`, when absent. */
  storeDir?: string;
  /** How long to wait for `/healthz?js-enabled-only=true` to answer 200. Default 30 s. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
  /** More nats-server arguments. */
  args?: readonly string[];
  /** Run it in its own process group: a terminal's Ctrl-C does not reach it (the caller stops it). */
  detached?: boolean;
  /** Also append its stdout and stderr to this file as they come (`output()` keeps the recent tail). */
  outputFile?: string;
}

const HOST = '127.0.0.1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A nats-server with JetStream (file storage) run from a local binary, for tests: on 127.0.0.1,
 * free ports, and a temporary store folder. `stop()` and `restart()` keep the port and the store,
 * so a test can take the server away and bring it back with its streams intact. `dispose()`
 * stops it for good and deletes the temporary folder.
 */
export class LocalNatsServer extends LocalServer {
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  readonly #options: LocalNatsServerOptions;

  private constructor(
    init: LocalServerInit & {
      port: number;
      monitorPort: number;
      storeDir: string;
    },
    options: LocalNatsServerOptions,
  ) {
    super(init);
    this.port = init.port;
    this.monitorPort = init.monitorPort;
    this.storeDir = init.storeDir;
    this.#options = options;
  }

  /** Starts a server and resolves once JetStream is healthy. */
  static async start(options: LocalNatsServerOptions = {}): Promise<LocalNatsServer> {
    const binary =
      options.bin === undefined ? await findNatsServerBinary() : await inspectNatsServerBinary(options.bin);
    const tempDir = options.storeDir === undefined ? await makeTempDir('interco-nats-') : undefined;
    const storeDir = options.storeDir ?? tempDir?.path ?? '';
    const make = async () =>
      new LocalNatsServer(
        {
          bin: binary.path,
          version: binary.version,
          tempDir,
          stopTimeoutMs: options.stopTimeoutMs,
          port: options.port ?? (await freePort(HOST)),
          monitorPort: options.monitorPort ?? (await freePort(HOST)),
          storeDir,
        },
        options,
      );
    const portsFixed = options.port !== undefined || options.monitorPort !== undefined;
    return LocalServer.launchFirst(make, portsFixed, tempDir);
  }

  get url(): string {
    return `nats://${HOST}:${this.port}`;
  }

  get monitorUrl(): string {
    return `http://${HOST}:${this.monitorPort}`;
  }

  protected spawn(): ServerProcess {
    const args = [
      ...['-a', HOST, '-p', String(this.port), '-m', String(this.monitorPort)],
      ...['-js', '-sd', this.storeDir, '-n', `testkit_${this.port}`],
      ...(this.#options.args ?? []),
    ];
    return ServerProcess.spawn(this.bin, args, {
      detached: this.#options.detached,
      outputFile: this.#options.outputFile,
    });
  }

  protected async waitUntilReady(process: ServerProcess): Promise<void> {
    const healthz = `${this.monitorUrl}/healthz?js-enabled-only=true`;
    const timeoutMs = this.#options.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (process.exit !== undefined) {
        throw new Error(
          `nats-server (${this.bin}) ${describeExit(process.exit)} while starting on ${this.url}; its last output:\n${process.output.lastLines()}`,
        );
      }
      if ((await httpStatus({ url: healthz }, 1_000)) === 200) return;
      if (Date.now() > deadline) {
        throw new Error(
          `nats-server (${this.bin}) did not answer 200 on ${healthz} within ${timeoutMs} ms; its last output:\n${process.output.lastLines()}`,
        );
      }
      await sleep(50);
    }
  }
}
