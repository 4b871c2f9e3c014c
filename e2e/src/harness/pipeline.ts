/**
 * The whole pipeline for an end-to-end test, every piece behind a real network boundary: the
 * run's nats-server (each test file in its own namespace), two simulated ERPNext sites (HTTP, on
 * their own ports), intake (HTTP), the four step services, each replica with its own NATS
 * connection, its own ERPNext clients and its own /healthz, /readyz and /metrics server (as
 * runStepService has), and the tracker (HTTP, on the run's MongoDB-wire server, in a database of
 * the test file's own). Each service has its own metrics registry. Instances are registered and
 * prepared through intake's admin API, transfers are posted to it over HTTP, as a user would.
 */
import { mintBootstrapToken } from '@interco/auth';
import {
  type BusNames,
  connectNats,
  readTransferHistory,
  type StepWorker,
  type StepWorkerOptions,
  startStepWorker,
} from '@interco/bus';
import { foldTransfer, type IntercoEvent, type Step, type TransferState } from '@interco/contracts';
import { dnA } from '@interco/dn-a';
import { type ChunkingLimits, SecretBox } from '@interco/erpnext';
import { demoSites, type Simulator, type SiteSetup, startSimulator } from '@interco/erpnext-sim';
import { type RunningIntake, startIntake } from '@interco/intake';
import { ServiceMetrics } from '@interco/metrics';
import { poA } from '@interco/po-a';
import { prA } from '@interco/pr-a';
import { prB } from '@interco/pr-b';
import { createLogger, type HealthServer, startHealthServer } from '@interco/service';
import { freePort } from '@interco/testkit';
import { mongoUrl, natsUrl, testNamespace } from '@interco/testkit/vitest';
import { type RunningTracker, startTracker } from '@interco/tracker';
import { DeliverPolicy, type JetStreamClient, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { SimSite } from './sim-site.js';

export const DEFINITIONS = { po_a: poA, pr_a: prA, dn_a: dnA, pr_b: prB } as const;

export interface PipelineOptions {
  /** Replicas of every step service (default 1). */
  replicas?: number;
  /** Replicas of some steps at start, instead of `replicas` (0: none until `startReplica`). */
  stepReplicas?: Partial<Record<Step, number>>;
  /** Passed to every step worker (fast backoff by default, so tests do not wait minutes). */
  worker?: Partial<Pick<StepWorkerOptions, 'concurrency' | 'ackWaitMs' | 'timeBudgetMs' | 'backoff'>>;
  /** The instance limits registered for both sites (the simulator's worker timeout is set to match). */
  workerTimeoutMs?: number;
  writeTimeoutMs?: number;
  maxInFlight?: number;
  chunking?: ChunkingLimits;
  maxSerials?: number;
  /** Changes to the demo sites before they start. */
  sites?: (sites: { a: SiteSetup; b: SiteSetup }) => void;
  /**
   * Sees every log entry of the step replicas (info and up, as parsed JSON), e.g. to tell which
   * replica is working on what. Entries still go to stdout when E2E_LOG_LEVEL lets them.
   */
  onStepLog?: (replica: { step: Step; index: number }, entry: StepLogEntry) => void;
  /** NATS url (default: the run's server). */
  natsUrl?: string;
  namespace?: string;
  /** The deployment's key (default: a new one), e.g. to start a tracker beside the pipeline. */
  box?: SecretBox;
  /** The bootstrap admin token (default: a new one). */
  bootstrap?: { token: string; hash: string };
  /**
   * Whether to run the tracker (default true). It owns the namespace's durable `tracker`
   * consumer: a test that starts a tracker of its own in the same namespace passes false (or
   * uses `pipeline.tracker`), else the two would share that consumer's events.
   */
  tracker?: boolean;
  /** The tracker's least time between two counts for `interco_transfers` (default 15 s). */
  trackerCountIntervalMs?: number;
  /** The tracker's TRACKER_STUCK_AFTER_MS (default 15 min), e.g. a few seconds to see a stuck transfer. */
  trackerStuckAfterMs?: number;
  /**
   * The operations console as `pnpm dev` runs it (default false): the tracker on a port chosen
   * before intake starts, intake answering CORS for the tracker's origin, the tracker naming
   * intake's URL in `/console/config.json`.
   */
  console?: boolean;
}

/** A step replica's log entry (pino's JSON). */
export type StepLogEntry = Record<string, unknown> & { msg?: string; level?: string; transfer_id?: string };

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export interface StepReplica {
  step: Step;
  index: number;
  nc: NatsConnection;
  worker: StepWorker;
  /** The replica's /healthz, /readyz and /metrics server (`health.url`). */
  health: HealthServer;
  metrics: ServiceMetrics;
}

export interface Pipeline {
  readonly names: BusNames;
  readonly intake: RunningIntake;
  readonly admin: string;
  readonly a: SimSite;
  readonly b: SimSite;
  readonly js: JetStreamClient;
  readonly replicas: StepReplica[];
  /** The tracker (its `url` serves the read API and /metrics), unless started with `tracker: false`. */
  readonly tracker: RunningTracker | undefined;
  /** Calls intake with the admin token (or `token`). */
  call(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Posts a transfer; answers the transfer id (fails the test on anything but 202). */
  submit(body: unknown): Promise<string>;
  /** The transfer's state folded from its events. */
  state(transferId: string): Promise<TransferState | undefined>;
  events(transferId: string): Promise<IntercoEvent[]>;
  /** The transfer's messages as stored in the stream: type and payload size in bytes. */
  rawEvents(transferId: string): Promise<Array<{ subject: string; type: string; bytes: number }>>;
  /** Waits until the folded state passes `until` (default timeout 60 s). */
  waitFor(
    transferId: string,
    until: (state: TransferState) => boolean,
    timeoutMs?: number,
  ): Promise<TransferState>;
  /** waitFor over many transfers at once (polled a few at a time); the states in the same order. */
  waitForAll(
    transferIds: readonly string[],
    until: (state: TransferState) => boolean,
    timeoutMs?: number,
  ): Promise<TransferState[]>;
  /** Starts one more replica of a step (after a kill). */
  startReplica(step: Step): Promise<StepReplica>;
  close(): Promise<void>;
}

export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const url = options.natsUrl ?? natsUrl();
  const ns = testNamespace();
  const namespace = options.namespace ?? ns.subjectPrefix;
  const box = options.box ?? SecretBox.fromKeyText(SecretBox.generateKeyText());
  const bootstrap = options.bootstrap ?? mintBootstrapToken();
  const logLevel = process.env.E2E_LOG_LEVEL ?? 'silent';
  const logger = createLogger('e2e', { level: logLevel });
  const stepLogger = (step: Step, index: number) => {
    const onStepLog = options.onStepLog;
    if (onStepLog === undefined) return logger.child({ service: step, replica: index });
    const shown = LEVELS.indexOf(logLevel);
    const tapped = createLogger('e2e', {
      level: shown >= 0 && shown < LEVELS.indexOf('info') ? logLevel : 'info',
      destination: {
        write(line: string) {
          const entry = JSON.parse(line) as StepLogEntry;
          onStepLog({ step, index }, entry);
          if (shown >= 0 && LEVELS.indexOf(String(entry.level)) >= shown) process.stdout.write(line);
        },
      },
    });
    return tapped.child({ service: step, replica: index });
  };
  const workerTimeoutMs = options.workerTimeoutMs ?? 10_000;
  const writeTimeoutMs = options.writeTimeoutMs ?? workerTimeoutMs + 2_000;

  const [a, b] = demoSites();
  if (a === undefined || b === undefined) throw new Error('demoSites() gave fewer than two sites');
  options.sites?.({ a, b });
  const sim: Simulator = await startSimulator({ sites: [a, b], inspection: true });
  const [siteA, siteB] = sim.sites.map((site) => new SimSite(site));
  if (siteA === undefined || siteB === undefined)
    throw new Error('the simulator started fewer than two sites');
  await Promise.all([siteA, siteB].map((site) => site.setBaseFaults({ worker_timeout_ms: workerTimeoutMs })));

  // With the console, the tracker's port is chosen now: intake must know its origin (CORS).
  const trackerPort = options.console === true && options.tracker !== false ? await freePort() : undefined;
  const intake = await startIntake({
    natsUrl: url,
    namespace,
    box,
    bootstrapHash: bootstrap.hash,
    logger: logger.child({ service: 'intake' }),
    ...(trackerPort === undefined ? {} : { corsOrigins: [`http://127.0.0.1:${trackerPort}`] }),
    ...(options.chunking === undefined ? {} : { chunking: options.chunking }),
    ...(options.maxSerials === undefined ? {} : { maxSerials: options.maxSerials }),
  });
  const names = intake.names;
  const ncTest = await connectNats({ url, name: 'e2e-test' });
  const js = jetstream(ncTest);

  const call: Pipeline['call'] = async (method, path, body, token = bootstrap.token) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${intake.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };

  for (const [site, id] of [
    [siteA, 'company-a'],
    [siteB, 'company-b'],
  ] as const) {
    const added = await call('POST', '/v1/admin/instances', {
      id,
      name: site.name,
      base_url: site.url,
      api_key: site.apiKey,
      api_secret: site.apiSecret,
      worker_timeout_ms: workerTimeoutMs,
      write_timeout_ms: writeTimeoutMs,
      max_in_flight: options.maxInFlight ?? 8,
    });
    if (added.status !== 201 && added.status !== 200)
      throw new Error(`adding ${id}: ${added.status} ${JSON.stringify(added.body)}`);
    const prepared = await call('POST', `/v1/admin/instances/${id}/prepare`);
    if (prepared.status !== 200)
      throw new Error(`preparing ${id}: ${prepared.status} ${JSON.stringify(prepared.body)}`);
  }
  await Promise.all([siteA.resetCounters(), siteB.resetCounters()]);

  const replicas: StepReplica[] = [];
  const startReplica = async (step: Step): Promise<StepReplica> => {
    const index = replicas.filter((r) => r.step === step).length;
    const nc = await connectNats({ url, name: `e2e-${step}-${index}` });
    const metrics = new ServiceMetrics({ service: DEFINITIONS[step].service });
    const replicaLogger = stepLogger(step, index);
    const worker = await startStepWorker({
      nc,
      names,
      definition: DEFINITIONS[step],
      box,
      logger: replicaLogger,
      concurrency: 16,
      ackWaitMs: 10_000,
      backoff: { minMs: 100, maxMs: 1_000 },
      metrics,
      ...options.worker,
    });
    const health = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      logger: replicaLogger,
      checks: [{ name: 'worker', check: () => worker.ready() }],
      metrics,
    });
    const replica = { step, index, nc, worker, health, metrics };
    replicas.push(replica);
    return replica;
  };
  for (const step of ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const) {
    const count = options.stepReplicas?.[step] ?? options.replicas ?? 1;
    for (let i = 0; i < count; i++) await startReplica(step);
  }

  // The tracker's database: the test file's own (another namespace: one named after it).
  const trackerDb = options.namespace === undefined ? ns.dbName : options.namespace.slice(0, 38);
  const tracker =
    options.tracker === false
      ? undefined
      : await startTracker({
          natsUrl: url,
          namespace,
          mongoUrl: mongoUrl(),
          mongoDb: trackerDb,
          box,
          bootstrapHash: bootstrap.hash,
          logger: logger.child({ service: 'tracker' }),
          projectorTuning: { fetchExpiresMs: 1_000 },
          ...(trackerPort === undefined ? {} : { port: trackerPort, consoleIntakeUrl: intake.url }),
          ...(options.trackerCountIntervalMs === undefined
            ? {}
            : { transferCountIntervalMs: options.trackerCountIntervalMs }),
          ...(options.trackerStuckAfterMs === undefined ? {} : { stuckAfterMs: options.trackerStuckAfterMs }),
        });

  const events = async (transferId: string) =>
    (await readTransferHistory(js, names, transferId)).map((entry) => entry.event);
  const state = async (transferId: string) => foldTransfer(await events(transferId));
  const rawEvents = async (transferId: string) => {
    const consumer = await js.consumers.get(names.stream, {
      filter_subjects: [`${names.subjectPrefix}.t.${transferId}.>`],
      deliver_policy: DeliverPolicy.All,
    });
    const out: Array<{ subject: string; type: string; bytes: number }> = [];
    try {
      let pending = (await consumer.info(true)).num_pending;
      while (pending > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(pending, 256), expires: 5_000 });
        let delivered = 0;
        for await (const message of batch) {
          delivered++;
          pending = message.info.pending;
          out.push({
            subject: message.subject,
            type: message.subject.split('.').slice(-2).join('.'),
            bytes: message.data.byteLength,
          });
          if (pending === 0) break;
        }
        if (delivered === 0) throw new Error(`reading the messages of ${transferId}: none came`);
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    return out;
  };
  // Polling reads from the test's own connection: a NATS blip (a restarted server) is not the
  // pipeline's failure, so a read that fails is tried again until the deadline.
  let readError: unknown;
  const poll = async (transferId: string) => {
    try {
      return await state(transferId);
    } catch (error) {
      readError = error;
      return undefined;
    }
  };
  const waitFor: Pipeline['waitFor'] = async (transferId, until, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last: TransferState | undefined;
    while (Date.now() < deadline) {
      last = (await poll(transferId)) ?? last;
      if (last !== undefined && until(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `transfer ${transferId} did not reach the expected state within ${timeoutMs} ms; last: ${JSON.stringify(last && { status: last.status, current_step: last.current_step, steps: last.steps })}${readError === undefined ? '' : `; last read error: ${String(readError)}`}`,
    );
  };

  return {
    names,
    intake,
    admin: bootstrap.token,
    a: siteA,
    b: siteB,
    js,
    replicas,
    tracker,
    call,
    async submit(body) {
      const answer = await call('POST', '/v1/transfers', body);
      if (answer.status !== 202)
        throw new Error(`POST /v1/transfers: ${answer.status} ${JSON.stringify(answer.body)}`);
      return String(answer.body.transfer_id);
    },
    state,
    events,
    rawEvents,
    waitFor,
    async waitForAll(transferIds, until, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      const results = new Map<string, TransferState>();
      const pending = [...transferIds];
      while (pending.length > 0) {
        // Look at the ones not there yet, a few at a time; once one is not, wait and go round.
        for (let i = 0; i < pending.length; ) {
          const id = pending[i] as string;
          const now = await poll(id);
          if (now !== undefined && until(now)) {
            results.set(id, now);
            pending.splice(i, 1);
          } else {
            i++;
          }
        }
        if (pending.length === 0) break;
        if (Date.now() > deadline) {
          const example = await poll(pending[0] as string);
          throw new Error(
            `${pending.length} of ${transferIds.length} transfers did not reach the expected state within ${timeoutMs} ms; e.g. ${pending[0]}: ${JSON.stringify(example && { status: example.status, current_step: example.current_step, steps: example.steps })}${readError === undefined ? '' : `; last read error: ${String(readError)}`}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      return transferIds.map((id) => results.get(id) as TransferState);
    },
    startReplica,
    async close() {
      await Promise.allSettled(replicas.map((r) => r.worker.stop()));
      await Promise.allSettled(replicas.map((r) => r.nc.close()));
      await Promise.allSettled(replicas.map((r) => r.health.close()));
      await intake.close();
      if (tracker !== undefined) {
        // Nothing publishes any more: the read model is dropped, then the tracker stops.
        await tracker.store.db.dropDatabase().catch(() => undefined);
        await tracker.close();
      }
      await ncTest.close();
      await sim.close();
    },
  };
}
