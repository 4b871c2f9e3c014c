/**
 * A pipeline for the runtime's integration tests: the ERPNext simulator's demo sites (company A
 * and B, registered in the namespace's instance registry, marker field installed), the stores,
 * and helpers to request a transfer by hand (as intake would: manifest, record, then
 * `transfer.requested`), to follow its events, and to read what the sites hold.
 */
import {
  type EventContext,
  type EventType,
  evolve,
  type IntercoEvent,
  newEvent,
  newTransferId,
  type Step,
  type TransferRequest,
  type TransferState,
  transferFilter,
} from '@interco/contracts';
import { ErpnextClient, InstanceRegistry, prepared, prepareInstance, SecretBox } from '@interco/erpnext';
import { type RunningSite, type Simulator, startSimulator } from '@interco/erpnext-sim';
import { createLogger, type Logger } from '@interco/service';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { BusNames } from '../../names.js';
import { ManifestStore } from '../../stores/manifest-store.js';
import { requestDigest } from '../../stores/request-digest.js';
import type { TransferRecordStatus } from '../../stores/transfer-record.schema.js';
import { TransferStore } from '../../stores/transfer-store.js';
import { ensureStream } from '../../stream/ensure-stream.js';
import { EventPublisher } from '../../stream/event-publisher.js';
import { demoRequest } from '../../test-support/demo-transfer.js';
import { requestedTransfer } from '../../test-support/requested-transfer.js';
import type { StepDefinition } from '../definition.js';
import { type StepWorker, startStepWorker } from '../worker.js';

export const INSTANCE_A = 'company-a';
export const INSTANCE_B = 'company-b';
const ACTOR = 'tok_pipeline_test';

/** A log that keeps its lines (to check they never carry a serial). */
export class LogCapture {
  readonly lines: string[] = [];
  readonly logger: Logger;
  constructor(level = 'debug') {
    this.logger = createLogger('step-runtime-test', {
      level,
      destination: { write: (line: string) => void this.lines.push(line) },
    });
  }
  text(): string {
    return this.lines.join('');
  }
}

export class PipelineHarness {
  private constructor(
    readonly nc: NatsConnection,
    readonly names: BusNames,
    readonly box: SecretBox,
    readonly sim: Simulator,
    readonly a: RunningSite,
    readonly b: RunningSite,
    readonly transfers: TransferStore,
    readonly manifests: ManifestStore,
    readonly publisher: EventPublisher,
    readonly log: LogCapture,
  ) {}

  static async start(natsUrl: string, names: BusNames): Promise<PipelineHarness> {
    const nc = await connect({ servers: natsUrl });
    await ensureStream(await jetstreamManager(nc), names);
    const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
    const sim = await startSimulator({ sites: 'demo', inspection: true });
    const a = sim.sites.find((site) => site.name === INSTANCE_A);
    const b = sim.sites.find((site) => site.name === INSTANCE_B);
    if (a === undefined || b === undefined) throw new Error('the demo sites are missing');
    const registry = await InstanceRegistry.open(nc, box, { bucket: names.buckets.instances });
    for (const [id, site] of [
      [INSTANCE_A, a],
      [INSTANCE_B, b],
    ] as const) {
      const config = { id, name: id, base_url: site.url, api_key: site.apiKey, api_secret: site.apiSecret };
      await registry.add(config);
      const client = new ErpnextClient(config);
      const report = await prepareInstance(client);
      await client.close();
      if (!prepared(report)) throw new Error(`prepare failed on ${id}: ${JSON.stringify(report)}`);
    }
    return new PipelineHarness(
      nc,
      names,
      box,
      sim,
      a,
      b,
      await TransferStore.open(nc, names),
      await ManifestStore.open(nc, names, box),
      new EventPublisher(jetstream(nc), names),
      new LogCapture(),
    );
  }

  async close(): Promise<void> {
    await this.sim.close();
    await (await jetstreamManager(this.nc)).streams.delete(this.names.stream).catch(() => false);
    await this.nc.close();
  }

  /** Starts a worker per definition (small backoff, short ack wait). */
  async startWorkers(
    definitions: StepDefinition[],
    options: { concurrency?: number; ackWaitMs?: number } = {},
  ): Promise<Workers> {
    const workers = await Promise.all(
      definitions.map((definition) =>
        startStepWorker({
          nc: this.nc,
          names: this.names,
          definition,
          box: this.box,
          logger: this.log.logger,
          concurrency: options.concurrency ?? 4,
          ackWaitMs: options.ackWaitMs ?? 6_000,
          backoff: { minMs: 100, maxMs: 1_000 },
        }),
      ),
    );
    return new Workers(workers);
  }

  /** A transfer between the demo sites: PIN-001, PIN-002 and SIM-001, `perItem` serials each. */
  manifest(perItem: number, serialPrefix: string): TransferRequest {
    return demoRequest({
      perItem: { 'PIN-001': perItem, 'PIN-002': perItem, 'SIM-001': perItem },
      serial: (item, i) => `${serialPrefix}${item}${String(i).padStart(8, '0')}`,
    });
  }

  /**
   * What intake does for a request: the manifest, the record, then `transfer.requested`. Answers
   * the transfer id and a recorder of its events (subscribed before publishing).
   */
  async request(manifest: TransferRequest): Promise<{ transferId: string; events: EventRecorder }> {
    const transferId = newTransferId();
    const events = new EventRecorder(this.nc, transferFilter(transferId, this.names.subjectPrefix));
    const { requested, record } = requestedTransfer(manifest, {
      transferId,
      actor: ACTOR,
      manifest: await this.manifests.put(transferId, manifest),
      requestDigest: requestDigest(manifest),
    });
    await this.transfers.create(record);
    await this.publisher.publish(requested);
    return { transferId, events };
  }

  /** What intake does for a cancel: the record `cancelling` at generation + 1, then `transfer.cancel_requested`. */
  async cancel(transferId: string): Promise<number> {
    return this.#nextGeneration(transferId, 'cancelling', (context) =>
      newEvent('transfer.cancel_requested', context, { reason: 'test' }),
    );
  }

  /** What intake's lifecycle consumer does on pr_b.done. */
  async complete(transferId: string): Promise<void> {
    await this.transfers.update(transferId, (record) => ({ ...record, status: 'completed' }));
  }

  /** What intake does for a retry of a failed step: generation + 1, then `transfer.retry_requested`. */
  async retry(transferId: string, step: Step): Promise<number> {
    return this.#nextGeneration(transferId, undefined, (context) =>
      newEvent('transfer.retry_requested', context, { step }),
    );
  }

  /**
   * The record at generation + 1 (and `status`, if given), then the request event `event` makes
   * for that generation. Answers the generation.
   */
  async #nextGeneration(
    transferId: string,
    status: TransferRecordStatus | undefined,
    event: (context: EventContext) => IntercoEvent,
  ): Promise<number> {
    const updated = await this.transfers.update(transferId, (record) => ({
      ...record,
      ...(status === undefined ? {} : { status }),
      generation: record.generation + 1,
      updated_at: new Date().toISOString(),
    }));
    if (updated === undefined) throw new Error(`no record for ${transferId}`);
    const { generation } = updated.record;
    await this.publisher.publish(
      event({ transferid: transferId, generation, actor: ACTOR, source: 'interco/intake' }),
    );
    return generation;
  }

  /** `PUT /__sim/faults` on a site (`{}` for none). */
  async setFaults(site: RunningSite, faults: Record<string, unknown>): Promise<void> {
    await sim(site, 'PUT', '/__sim/faults', faults);
  }

  async resetCounters(): Promise<void> {
    await Promise.all([this.a, this.b].map((site) => sim(site, 'POST', '/__sim/requests/reset')));
  }

  /** The requests that write, per route, since the counters were reset. */
  async writes(site: RunningSite): Promise<Record<string, number>> {
    const stats = (await sim(site, 'GET', '/__sim/requests')) as { counts: Record<string, number> };
    return Object.fromEntries(Object.entries(stats.counts).filter(([route]) => isWrite(route)));
  }

  /** The documents of a doctype the transfer made on a site (by their marker). */
  async documents(
    site: RunningSite,
    doctype: string,
    transferId: string,
  ): Promise<Array<Record<string, unknown>>> {
    const answer = (await sim(site, 'GET', `/__sim/documents?doctype=${encodeURIComponent(doctype)}`)) as {
      data: Array<Record<string, unknown>>;
    };
    return answer.data.filter(
      (doc) =>
        typeof doc.custom_interco_marker === 'string' &&
        doc.custom_interco_marker.startsWith(`${transferId}:`),
    );
  }
}

/** The workers of one test. */
export class Workers {
  constructor(readonly all: StepWorker[]) {}
  with(more: Workers): Workers {
    return new Workers([...this.all, ...more.all]);
  }
  async drain(): Promise<void> {
    await Promise.all(this.all.map((worker) => worker.drain()));
  }
}

/** Every event of one transfer as it is published (a core subscription on its subjects). */
export class EventRecorder {
  readonly events: IntercoEvent[] = [];
  readonly #sub: Subscription;
  #waiters: Array<() => void> = [];

  constructor(nc: NatsConnection, subject: string) {
    this.#sub = nc.subscribe(subject, {
      callback: (_error, msg) => {
        this.events.push(msg.json<IntercoEvent>());
        for (const wake of this.#waiters.splice(0)) wake();
      },
    });
  }

  /** The events folded with the state machine (`evolve`): the state, and why any event was invalid. */
  fold(): { state: TransferState | undefined; invalid: string[] } {
    let state: TransferState | undefined;
    const invalid: string[] = [];
    for (const event of this.events) {
      const result = evolve(state, event);
      if (result.change === 'invalid')
        invalid.push(`${event.type}@${event.generation}: ${result.reason ?? ''}`);
      state = result.state;
    }
    return { state, invalid };
  }

  types(): string[] {
    return this.events.map((event) => `${event.type}@${event.generation}`);
  }

  /** The first event of `type` (at `generation`, if given); rejects after `timeoutMs`. */
  async next(type: EventType, generation?: number, timeoutMs = 45_000): Promise<IntercoEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(
        (event) => event.type === type && (generation === undefined || event.generation === generation),
      );
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} within ${timeoutMs} ms; saw ${this.types().join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  stop(): void {
    this.#sub.unsubscribe();
  }
}

const WRITE_METHODS = /frappe\.client\.(submit|cancel|insert|insert_many|save|delete|set_value|rename_doc)$/;

function isWrite(route: string): boolean {
  const [method = '', path = ''] = route.split(' ');
  if (method === 'PUT' || method === 'DELETE') return true;
  if (method !== 'POST') return false;
  return path.startsWith('/api/resource/') || WRITE_METHODS.test(path);
}

async function sim(site: RunningSite, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${site.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}
