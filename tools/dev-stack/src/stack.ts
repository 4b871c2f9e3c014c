import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LogLevel } from '@interco/service';
import { LocalFerretDb, LocalNatsServer } from '@interco/testkit';
import type { Environment } from './args.js';
import { checkBuilt, checkPortsFree } from './checks.js';
import { cliConfig, writeCliConfig } from './cli-config.js';
import { registerInstance } from './instances.js';
import { logFile, type StackLayout } from './layout.js';
import { clearStaleStack, STOP_GRACE_MS } from './leftovers.js';
import { type PortPlan, plannedPorts, portPlan, SERVICE_NAMES, type ServiceName } from './ports.js';
import { ownIdentity } from './process-identity.js';
import { waitForReady } from './readiness.js';
import { ensureSecrets } from './secrets.js';
import { inheritedEnv, serviceCommand, serviceEnv, serviceUrl } from './service-env.js';
import { type SimSite, startSimProcess } from './sim-process.js';
import { readStackFile, removeStackFile, type StackFile, writeStackFile } from './stack-file.js';
import { SupervisedProcess } from './supervised-process.js';

/** The repository root (this file is tools/dev-stack/{src,dist}/stack.*). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface StackOptions {
  layout: StackLayout;
  /** The ports are portPlan(portBase)'s. */
  portBase: number;
  logLevel: LogLevel;
  /** The caller's environment: NATS_URL / MONGODB_URL name servers to use; a few variables are passed on. */
  env: Environment;
  /** Progress lines for a person. */
  say: (line: string) => void;
}

/** How long each service may take to answer 200 on /readyz. */
const READY_TIMEOUT_MS = 60_000;

/**
 * The stack already running on `layout.dir`, or undefined once none is: a stale stack file (its
 * supervisor gone) is said (`onStale`), its leftover children stopped and the file removed; an
 * unreadable one is removed. What `pnpm dev` and `pnpm demo` do before starting a LocalStack.
 */
export async function runningStack(
  layout: StackLayout,
  io: { say: (line: string) => void; complain: (line: string) => void; onStale: (stack: StackFile) => void },
): Promise<StackFile | undefined> {
  const found = await readStackFile(layout.stackFile);
  if (found.kind === 'running') return found.stack;
  if (found.kind === 'stale') {
    io.onStale(found.stack);
    await clearStaleStack(found.stack, { say: io.say, complain: io.complain });
  }
  if (found.kind === 'stale' || found.kind === 'invalid') await removeStackFile(layout.stackFile);
  return undefined;
}

/** A part of the stack that ended without being asked to. */
export interface ChildFailure {
  name: string;
  how: string;
  lastLines: string;
}

const SITES = ['company-a', 'company-b'] as const;

/**
 * The whole local stack: NATS and the MongoDB-wire server (testkit's launchers, data in the data
 * folder, fixed ports) unless NATS_URL / MONGODB_URL are given, the simulator's demo sites, and
 * the six services, each waited for on /readyz; then the instances are registered and prepared.
 * `stop()` can be called at any time, during `start()` too: services first, then the simulator,
 * then Mongo and NATS.
 */
export class LocalStack {
  readonly #options: StackOptions;
  readonly #plan: PortPlan;
  readonly #repoRoot = REPO_ROOT;
  #nats: LocalNatsServer | undefined;
  #mongo: LocalFerretDb | undefined;
  #sim: SupervisedProcess | undefined;
  readonly #services = new Map<ServiceName, SupervisedProcess>();
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #info: StackFile | undefined;
  #sites: SimSite[] = [];
  #watch: NodeJS.Timeout | undefined;
  readonly #failure: Promise<ChildFailure>;
  #fail: (failure: ChildFailure) => void = () => undefined;

  constructor(options: StackOptions) {
    this.#options = options;
    this.#plan = portPlan(options.portBase);
    this.#failure = new Promise((resolve) => {
      this.#fail = resolve;
    });
  }

  /** What stack.json holds, once started. */
  get info(): StackFile {
    if (this.#info === undefined) throw new Error('the stack has not started');
    return this.#info;
  }

  get sites(): readonly SimSite[] {
    return this.#sites;
  }

  /** Resolves when a part ends without being asked to (the first one). */
  get failure(): Promise<ChildFailure> {
    return this.#failure;
  }

  /** Starts every part; on failure, stops what was started and rejects. */
  async start(): Promise<StackFile> {
    try {
      return await this.#start();
    } catch (error) {
      // A part whose start was under way when stop() came is stopped here too.
      this.#stopping = true;
      this.#stopped = (this.#stopped ?? Promise.resolve()).then(() => this.#stopAll());
      await this.#stopped;
      throw error;
    }
  }

  async #start(): Promise<StackFile> {
    const { layout, env, say } = this.#options;
    const plan = this.#plan;
    const external = { nats: Boolean(env.NATS_URL), mongo: Boolean(env.MONGODB_URL) };
    await checkBuilt(this.#repoRoot);
    await checkPortsFree(plannedPorts(plan, external));
    for (const dir of [layout.dir, layout.logsDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
    const secrets = await ensureSecrets(layout);
    if (secrets.created.length > 0) say(`made ${secrets.created.join(' and ')} in ${layout.dir}`);

    const natsUrl = env.NATS_URL || (await this.#startNats());
    this.#checkNotStopping();
    const mongoUrl = env.MONGODB_URL || (await this.#startMongo());
    this.#checkNotStopping();

    say(`starting the ERPNext simulator's demo sites on ${plan.simBase} and ${plan.simBase + 1}`);
    const sim = await startSimProcess({
      repoRoot: this.#repoRoot,
      portBase: plan.simBase,
      stateFile: layout.simState,
      logFile: logFile(layout, 'sim'),
      env: inheritedEnv(env),
      expectedSites: SITES,
    });
    this.#sim = sim.process;
    this.#sites = sim.sites;
    this.#checkNotStopping();

    say(`starting ${SERVICE_NAMES.join(', ')} on ${plan.services.intake}..${plan.services.tracker}`);
    const context = {
      natsUrl,
      mongoUrl,
      secretKey: secrets.secretKey,
      tokenHash: secrets.tokenHash,
      ports: plan.services,
    };
    for (const name of SERVICE_NAMES) {
      const { command, args } = serviceCommand(name);
      this.#services.set(
        name,
        SupervisedProcess.start({
          name,
          command,
          args,
          cwd: this.#repoRoot,
          env: serviceEnv(name, { ...context, logLevel: this.#options.logLevel }, env),
          logFile: logFile(layout, name),
        }),
      );
    }
    await Promise.all(
      [...this.#services].map(([name, child]) =>
        waitForReady(
          child,
          `${serviceUrl(plan.services[name])}/readyz`,
          READY_TIMEOUT_MS,
          () => this.#stopping,
        ),
      ),
    );
    this.#checkNotStopping();

    const intakeUrl = serviceUrl(plan.services.intake);
    const trackerUrl = serviceUrl(plan.services.tracker);
    await writeCliConfig(
      layout.cliConfig,
      cliConfig(layout.cliConfig, { intake: intakeUrl, tracker: trackerUrl }, layout.adminToken),
    );
    for (const site of this.#sites) {
      const summary = await registerInstance(intakeUrl, secrets.adminToken, site);
      const lines = summary.map((line) => line.replace(`${site.site} `, ''));
      say(`instance ${site.site} registered and prepared (${lines.join('; ')})`);
    }
    this.#checkNotStopping();

    const recorded = async (name: string, pid: number) => {
      const identity = await ownIdentity(pid);
      return identity === undefined ? { name, pid } : { name, pid, identity };
    };
    const processes = [
      ...this.#children().flatMap((child) =>
        child.pid === undefined ? [] : [[child.name, child.pid] as const],
      ),
      ...(
        [
          ['mongo', this.#mongo?.pid],
          ['nats', this.#nats?.pid],
        ] as const
      ).flatMap(([name, pid]) => (pid === undefined ? [] : [[name, pid] as const])),
    ];
    const identity = await ownIdentity(process.pid);
    this.#info = {
      version: 1,
      pid: process.pid,
      ...(identity === undefined ? {} : { identity }),
      started_at: new Date().toISOString(),
      dir: layout.dir,
      port_base: this.#options.portBase,
      cli_config: layout.cliConfig,
      intake_url: intakeUrl,
      tracker_url: trackerUrl,
      services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, serviceUrl(plan.services[name])])),
      nats_url: natsUrl,
      mongo_url: mongoUrl.replace(/\/\/[^@/]*@/, '//'),
      sites: Object.fromEntries(this.#sites.map((site) => [site.site, site.url])),
      processes: await Promise.all(processes.map(([name, pid]) => recorded(name, pid))),
    };
    await writeStackFile(layout.stackFile, this.#info);
    this.#watchChildren();
    return this.#info;
  }

  /** Stops everything started so far (once; later calls wait for the first). */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped ??= this.#stopAll();
    return this.#stopped;
  }

  #checkNotStopping(): void {
    if (this.#stopping) throw new Error('the stack was stopped while it was starting');
  }

  #children(): SupervisedProcess[] {
    return [...this.#services.values(), ...(this.#sim === undefined ? [] : [this.#sim])];
  }

  async #startNats(): Promise<string> {
    const { layout, say } = this.#options;
    const plan = this.#plan;
    say(`starting nats-server (JetStream in ${layout.natsDir}) on ${plan.nats}`);
    this.#nats = await LocalNatsServer.start({
      port: plan.nats,
      monitorPort: plan.natsMonitor,
      storeDir: layout.natsDir,
      detached: true,
      outputFile: logFile(layout, 'nats'),
    });
    return this.#nats.url;
  }

  async #startMongo(): Promise<string> {
    const { layout, say } = this.#options;
    const plan = this.#plan;
    say(`starting the MongoDB-wire server (FerretDB, data in ${layout.mongoDir}) on ${plan.mongo}`);
    this.#mongo = await LocalFerretDb.start({
      port: plan.mongo,
      dataDir: layout.mongoDir,
      detached: true,
      outputFile: logFile(layout, 'mongo'),
    });
    return this.#mongo.url;
  }

  /** Reports the first part that ends on its own; NATS and Mongo are looked at every second. */
  #watchChildren(): void {
    for (const child of this.#children()) {
      void child.exited.then(async () => {
        if (this.#stopping) return;
        this.#fail({ name: child.name, how: child.describeExit(), lastLines: await child.lastLogLines() });
      });
    }
    this.#watch = setInterval(() => {
      if (this.#stopping) return;
      for (const [name, server] of [
        ['nats-server', this.#nats],
        ['the MongoDB-wire server', this.#mongo],
      ] as const) {
        if (server !== undefined && !server.running) {
          const lines = server
            .output()
            .split('\n')
            .filter((l) => l.trim() !== '')
            .slice(-15);
          this.#fail({
            name,
            how: 'stopped',
            lastLines: lines.map((l) => `  ${l}`).join('\n') || '  (no output)',
          });
        }
      }
    }, 1_000);
    this.#watch.unref();
  }

  async #stopAll(): Promise<void> {
    const { layout, say } = this.#options;
    clearInterval(this.#watch);
    const report = async (child: SupervisedProcess) => {
      if (child.exit !== undefined) return;
      const exit = await child.stop(STOP_GRACE_MS);
      if (exit.signal === 'SIGKILL')
        say(`${child.name} did not stop within ${STOP_GRACE_MS / 1000} s: killed`);
    };
    await Promise.all([...this.#services.values()].map(report));
    if (this.#sim !== undefined) await report(this.#sim);
    // Their output went to logs/mongo.log and logs/nats.log as it came.
    await this.#mongo?.stop();
    await this.#nats?.stop();
    if (this.#info !== undefined) await removeStackFile(layout.stackFile);
  }
}
