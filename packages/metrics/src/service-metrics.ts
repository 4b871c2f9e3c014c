/**
 * ServiceMetrics: the metrics of one service process, in a registry of its own (never
 * prom-client's global one, so that a test process may run several services, each with its own
 * /metrics). It carries `interco_build_info` and typed recorders for the catalogue
 * (catalogue.ts), and by default prom-client's process and Node.js metrics; `render()` is the
 * /metrics body.
 *
 * The process and Node.js metrics describe the process, not a service: they are collected once
 * per process, in a registry every ServiceMetrics shares, and rendered with each one's own
 * series. prom-client starts an event-loop delay monitor and a GC observer for them and has no
 * way to stop either, so a registry of its own per ServiceMetrics would pile them up in a process
 * that builds many (the tests); shared, there is one pair, whatever the number of services.
 */
import { createRequire } from 'node:module';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import {
  BREAKER_STATE_VALUES,
  type BreakerStateName,
  CATALOGUE,
  type ErpnextErrorKindLabel,
  type ErpnextErrorReasonLabel,
  type ErpnextMethod,
  type ErpnextOperation,
  type MetricDefinition,
  type StepOutcome,
  type SubmitOutcome,
} from './catalogue.js';
import { EXPOSITION_CONTENT_TYPE, type MetricsExposition, type MetricsSource } from './exposition.js';
import { withinTime } from './within-time.js';

export interface ServiceMetricsOptions {
  /** The service's name (`intake`, `po-a`, ..., `tracker`): `interco_build_info{service}`. */
  readonly service: string;
  /** `interco_build_info{version}`: default INTERCO_VERSION, else this package's version. */
  readonly version?: string;
  /** prom-client's process_* and nodejs_* metrics, shared by the process (default true). */
  readonly defaultMetrics?: boolean;
  /** How long a refresher (onScrape) may take before the scrape goes on without it (default 2 s). */
  readonly refreshTimeoutMs?: number;
  /** Told of a refresher that failed or timed out (the scrape answers with the last values). */
  readonly onRefreshError?: (error: unknown) => void;
}

/** What one ERPNext request was: `status` is the HTTP status, or why there was none. */
export interface ErpnextRequestLabels {
  readonly instance: string;
  /** The HTTP method (GET, POST). */
  readonly method: ErpnextMethod;
  /** What the call was, without the doctype: get, list, insert, submit, cancel, call, ping... */
  readonly operation: ErpnextOperation;
  /** `200`, `417`..., or `network`, `timeout`, `breaker_open`, `client_error`. */
  readonly status: string;
}

export interface ErpnextErrorLabels {
  readonly instance: string;
  readonly status: string;
  /** transient, conflict, permanent, auth */
  readonly kind: ErpnextErrorKindLabel;
  /** ErpnextError's reason (deadlock, rate_limited, validation...): a fixed set. */
  readonly reason: ErpnextErrorReasonLabel;
}

/** A JetStream consumer's counts, as its info gives them. */
export interface ConsumerCounts {
  readonly pending: number;
  readonly ackPending: number;
}

type Refresher = () => unknown;

const DEFAULT_REFRESH_TIMEOUT_MS = 2_000;

export class ServiceMetrics implements MetricsSource {
  readonly registry: Registry;
  readonly service: string;
  readonly version: string;
  readonly #refreshers = new Set<Refresher>();
  readonly #refreshTimeoutMs: number;
  readonly #onRefreshError: (error: unknown) => void;
  readonly #metrics = new Map<string, Counter<string> | Gauge<string> | Histogram<string>>();
  readonly #defaultMetrics: boolean;

  constructor(options: ServiceMetricsOptions) {
    this.service = options.service;
    this.version = options.version ?? defaultVersion();
    this.#refreshTimeoutMs = options.refreshTimeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS;
    this.#onRefreshError = options.onRefreshError ?? (() => {});
    this.registry = new Registry();
    this.#defaultMetrics = options.defaultMetrics ?? true;
    // Started here, not at the first scrape: the event-loop and GC figures cover the whole run.
    if (this.#defaultMetrics) processMetrics();
    this.#gauge(CATALOGUE.buildInfo).set({ service: this.service, version: this.version }, 1);
  }

  /** `interco_transfers{status}`: every status given is set (give every status, 0 included). */
  setTransfers(byStatus: Readonly<Record<string, number>>): void {
    const gauge = this.#gauge(CATALOGUE.transfers);
    for (const [status, count] of Object.entries(byStatus)) gauge.set({ status }, count);
  }

  /** `interco_transfers_submitted_total{outcome}` + `count` (1; 0 makes the series exist). */
  transferSubmitted(outcome: SubmitOutcome, count = 1): void {
    this.#counter(CATALOGUE.transfersSubmitted).inc({ outcome }, count);
  }

  /** One step message handled: `interco_step_messages_total` + 1, its duration observed. */
  stepHandled(step: string, outcome: StepOutcome, seconds: number): void {
    this.#counter(CATALOGUE.stepMessages).inc({ step, outcome });
    this.#histogram(CATALOGUE.stepDuration).observe({ step, outcome }, seconds);
  }

  /** One ERPNext request (an attempt) and how long it took. */
  erpnextRequest(labels: ErpnextRequestLabels, seconds: number): void {
    this.#histogram(CATALOGUE.erpnextRequestDuration).observe({ ...labels }, seconds);
  }

  /** One failed ERPNext request (an attempt). */
  erpnextError(labels: ErpnextErrorLabels): void {
    this.#counter(CATALOGUE.erpnextRequestErrors).inc({ ...labels });
  }

  /** `interco_erpnext_breaker_state{instance}`: 0 closed, 1 half-open, 2 open. */
  breakerState(instance: string, state: BreakerStateName): void {
    this.#gauge(CATALOGUE.erpnextBreakerState).set({ instance }, BREAKER_STATE_VALUES[state]);
  }

  /** Removes an instance's `interco_erpnext_breaker_state` series (its client is gone). */
  breakerStateRemoved(instance: string): void {
    if (!this.#metrics.has(CATALOGUE.erpnextBreakerState.name)) return;
    this.#gauge(CATALOGUE.erpnextBreakerState).remove({ instance });
  }

  /** `interco_consumer_pending` and `interco_consumer_ack_pending` of a consumer. */
  consumerCounts(consumer: string, counts: ConsumerCounts): void {
    this.#gauge(CATALOGUE.consumerPending).set({ consumer }, counts.pending);
    this.#gauge(CATALOGUE.consumerAckPending).set({ consumer }, counts.ackPending);
  }

  /** Messages received with a delivery count above 1 (1 by default; 0 makes the series exist). */
  consumerRedelivered(consumer: string, count = 1): void {
    this.#counter(CATALOGUE.consumerRedeliveries).inc({ consumer }, count);
  }

  /**
   * Runs `refresh` before each render (e.g. reads a consumer's info and sets its gauges). All
   * refreshers run at once; one that fails or takes longer than the refresh timeout does not hold
   * the scrape up (its series keep their last values). Answers a function that removes it.
   */
  onScrape(refresh: Refresher): () => void {
    this.#refreshers.add(refresh);
    return () => {
      this.#refreshers.delete(refresh);
    };
  }

  /** The Prometheus text exposition of every series, after the refreshers ran. */
  async render(): Promise<MetricsExposition> {
    await Promise.all([...this.#refreshers].map((refresh) => this.#refresh(refresh)));
    const registry = this.#defaultMetrics ? Registry.merge([this.registry, processMetrics()]) : this.registry;
    return { contentType: EXPOSITION_CONTENT_TYPE, body: await registry.metrics() };
  }

  async #refresh(refresh: Refresher): Promise<void> {
    try {
      await withinTime(
        refresh,
        this.#refreshTimeoutMs,
        () => new Error(`a metrics refresher took more than ${this.#refreshTimeoutMs} ms`),
      );
    } catch (error) {
      this.#onRefreshError(error);
    }
  }

  #counter<L extends string>(definition: MetricDefinition<L>): Counter<L> {
    return this.#get(definition, () => new Counter(this.#config(definition))) as Counter<L>;
  }

  #gauge<L extends string>(definition: MetricDefinition<L>): Gauge<L> {
    return this.#get(definition, () => new Gauge(this.#config(definition))) as Gauge<L>;
  }

  #histogram<L extends string>(definition: MetricDefinition<L>): Histogram<L> {
    return this.#get(
      definition,
      () =>
        new Histogram({
          ...this.#config(definition),
          ...(definition.buckets === undefined ? {} : { buckets: [...definition.buckets] }),
        }),
    ) as Histogram<L>;
  }

  #config<L extends string>(definition: MetricDefinition<L>) {
    return {
      name: definition.name,
      help: definition.help,
      labelNames: [...definition.labels],
      registers: [this.registry],
    };
  }

  #get(
    definition: MetricDefinition,
    create: () => Counter<string> | Gauge<string> | Histogram<string>,
  ): Counter<string> | Gauge<string> | Histogram<string> {
    let metric = this.#metrics.get(definition.name);
    if (metric === undefined) {
      metric = create();
      this.#metrics.set(definition.name, metric);
    }
    return metric;
  }
}

let sharedProcessMetrics: Registry | undefined;

/** The process and Node.js metrics: one registry per process, collected from the first call. */
function processMetrics(): Registry {
  if (sharedProcessMetrics === undefined) {
    sharedProcessMetrics = new Registry();
    collectDefaultMetrics({ register: sharedProcessMetrics });
  }
  return sharedProcessMetrics;
}

let packageVersion: string | undefined;

/** INTERCO_VERSION, else the version in this package's package.json (the monorepo's version). */
function defaultVersion(): string {
  const fromEnv = process.env.INTERCO_VERSION;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (packageVersion === undefined) {
    try {
      const manifest = createRequire(import.meta.url)('../package.json') as { version?: unknown };
      packageVersion = typeof manifest.version === 'string' ? manifest.version : 'unknown';
    } catch {
      packageVersion = 'unknown';
    }
  }
  return packageVersion;
}
