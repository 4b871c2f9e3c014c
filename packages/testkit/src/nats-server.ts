import { findNatsServerBinary, inspectNatsServerBinary } from './binaries.js';
import { freePort } from './free-port.js';
import { httpStatus } from './http-probe.js';
import { describeExit, ServerProcess } from './server-process.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

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
}

const HOST = '127.0.0.1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A nats-server with JetStream (file storage) run from a local binary, for tests: on 127.0.0.1,
 * free ports, and a temporary store folder. `stop()` and `restart()` keep the port and the store,
 * so a test can take the server away and bring it back with its streams intact. `dispose()`
 * stops it for good and deletes the temporary folder.
 */
export class LocalNatsServer {
  readonly bin: string;
  /** The version `nats-server --version` reported, e.g. `2.14.9`. */
  readonly version: string;
  readonly port: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  readonly #tempDir: TempDir | undefined;
  readonly #startTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  readonly #args: readonly string[];
  #process: ServerProcess | undefined;

  private constructor(init: {
    bin: string;
    version: string;
    port: number;
    monitorPort: number;
    storeDir: string;
    tempDir: TempDir | undefined;
    options: LocalNatsServerOptions;
  }) {
    this.bin = init.bin;
    this.version = init.version;
    this.port = init.port;
    this.monitorPort = init.monitorPort;
    this.storeDir = init.storeDir;
    this.#tempDir = init.tempDir;
    this.#startTimeoutMs = init.options.startTimeoutMs ?? 30_000;
    this.#stopTimeoutMs = init.options.stopTimeoutMs ?? 10_000;
    this.#args = init.options.args ?? [];
  }

  /** Starts a server and resolves once JetStream is healthy. */
  static async start(options: LocalNatsServerOptions = {}): Promise<LocalNatsServer> {
    const binary =
      options.bin === undefined ? await findNatsServerBinary() : await inspectNatsServerBinary(options.bin);
    const tempDir = options.storeDir === undefined ? await makeTempDir('interco-nats-') : undefined;
    const storeDir = options.storeDir ?? tempDir?.path ?? '';
    const fixedPorts = options.port !== undefined || options.monitorPort !== undefined;
    // Free ports can be taken by someone else before nats-server binds them: try new ones.
    for (let attempt = 1; ; attempt++) {
      const server = new LocalNatsServer({
        bin: binary.path,
        version: binary.version,
        port: options.port ?? (await freePort(HOST)),
        monitorPort: options.monitorPort ?? (await freePort(HOST)),
        storeDir,
        tempDir,
        options,
      });
      try {
        await server.#launch();
        return server;
      } catch (error) {
        await server.stop();
        const portTaken = error instanceof Error && /address already in use/i.test(error.message);
        if (!portTaken || fixedPorts || attempt >= 3) {
          await tempDir?.remove();
          throw error;
        }
      }
    }
  }

  get url(): string {
    return `nats://${HOST}:${this.port}`;
  }

  get monitorUrl(): string {
    return `http://${HOST}:${this.monitorPort}`;
  }

  get running(): boolean {
    return this.#process !== undefined && this.#process.exit === undefined;
  }

  /** The server's recent stdout and stderr. */
  output(): string {
    return this.#process?.output.text() ?? '';
  }

  /** Graceful stop: SIGTERM, then SIGKILL after `stopTimeoutMs`. Port and store are kept for `restart()`. */
  async stop(): Promise<void> {
    await this.#process?.stop(this.#stopTimeoutMs);
  }

  /** Stops the server if it runs, then starts it again on the same port with the same store. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#launch();
  }

  /** Stops the server and deletes its store folder if `start()` created it. */
  async dispose(): Promise<void> {
    await this.stop();
    await this.#tempDir?.remove();
  }

  async #launch(): Promise<void> {
    if (this.running) throw new Error(`nats-server at ${this.url} is already running`);
    const args = [
      ...['-a', HOST, '-p', String(this.port), '-m', String(this.monitorPort)],
      ...['-js', '-sd', this.storeDir, '-n', `testkit_${this.port}`],
      ...this.#args,
    ];
    const proc = ServerProcess.spawn(this.bin, args);
    this.#process = proc;
    const healthz = `${this.monitorUrl}/healthz?js-enabled-only=true`;
    const deadline = Date.now() + this.#startTimeoutMs;
    for (;;) {
      if (proc.exit !== undefined) {
        throw new Error(
          `nats-server (${this.bin}) ${describeExit(proc.exit)} while starting on ${this.url}; its last output:\n${proc.output.lastLines()}`,
        );
      }
      if ((await httpStatus({ url: healthz }, 1_000)) === 200) return;
      if (Date.now() > deadline) {
        throw new Error(
          `nats-server (${this.bin}) did not answer 200 on ${healthz} within ${this.#startTimeoutMs} ms; its last output:\n${proc.output.lastLines()}`,
        );
      }
      await sleep(50);
    }
  }
}
