/**
 * The ERPNext clients of one step process: one ErpnextClient per instance (so one breaker and one
 * in-flight cap per instance), created lazily from the instance registry (KV, kept current by
 * InstanceCache's watch). When an instance changes or is removed in the registry, its client is
 * retired: new work gets a new client, and the old one is closed once the work that holds it is
 * done (closing it under a running write would turn the write into a failure).
 *
 * With metrics, each client records its requests and failures, and the current client of an
 * instance reports `interco_erpnext_breaker_state{instance}` (from its first call). A retired
 * client stops reporting at once and the instance's series is removed: a removed instance leaves
 * no stale value (an open breaker would keep an alert firing), and a changed one shows its new
 * client's state from the new client's first call.
 */
import {
  ErpnextClient,
  type ErpnextClientOptions,
  InstanceCache,
  type InstanceConfig,
  InstanceRegistry,
  instanceLimits,
  type SecretBox,
} from '@interco/erpnext';
import type { ServiceMetrics } from '@interco/metrics';
import type { Logger } from '@interco/service';
import type { NatsConnection } from '@nats-io/nats-core';
import { StepFailure } from './step-errors.js';

/** What the clients read of the registry: an InstanceCache fits. */
export interface InstanceSource {
  get(id: string): InstanceConfig | undefined;
  onChange(listener: (id: string, config: InstanceConfig | undefined) => void): () => void;
}

/** What the clients record: a ServiceMetrics fits. */
export type StepClientMetrics = Pick<
  ServiceMetrics,
  'erpnextRequest' | 'erpnextError' | 'breakerState' | 'breakerStateRemoved'
>;

/** A client held for one piece of work; `release()` when done. */
export interface HeldClient {
  readonly client: ErpnextClient;
  /** The instance's write timeout (defaults applied): the lease outlives a write by 10 s more. */
  readonly writeTimeoutMs: number;
  release(): void;
}

interface Entry {
  client: ErpnextClient;
  writeTimeoutMs: number;
  users: number;
  /** Set when the instance changed or was removed (from then on its breaker does not report). */
  readonly status: { retired: boolean };
}

export class StepClients {
  readonly #source: InstanceSource;
  readonly #logger: Logger;
  readonly #options: ErpnextClientOptions;
  readonly #current = new Map<string, Entry>();
  readonly #retired = new Set<Entry>();
  readonly #unsubscribe: () => void;
  readonly #stopSource: () => void;
  readonly #metrics: StepClientMetrics | undefined;

  constructor(
    source: InstanceSource,
    options: {
      logger: Logger;
      clientOptions?: ErpnextClientOptions;
      stopSource?: () => void;
      metrics?: StepClientMetrics;
    },
  ) {
    this.#source = source;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#options = {
      logger: options.logger,
      ...options.clientOptions,
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    };
    this.#stopSource = options.stopSource ?? (() => {});
    this.#unsubscribe = source.onChange((id) => this.#retire(id));
  }

  /** Opens the registry bucket and follows it (InstanceCache). */
  static async open(
    nc: NatsConnection,
    options: {
      bucket: string;
      box: SecretBox;
      logger: Logger;
      clientOptions?: ErpnextClientOptions;
      metrics?: StepClientMetrics;
    },
  ): Promise<StepClients> {
    const registry = await InstanceRegistry.open(nc, options.box, { bucket: options.bucket });
    const cache = await InstanceCache.start(registry, { logger: options.logger });
    return new StepClients(cache, {
      logger: options.logger,
      stopSource: () => cache.stop(),
      ...(options.clientOptions === undefined ? {} : { clientOptions: options.clientOptions }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    });
  }

  /**
   * The client of an instance, held until `release()`. An instance the registry does not have:
   * StepFailure (retryable: register it, then retry).
   */
  hold(id: string): HeldClient {
    let entry = this.#current.get(id);
    if (entry === undefined) {
      const config = this.#source.get(id);
      if (config === undefined) {
        throw new StepFailure(
          [
            `instance ${id} is not registered: register it with Interco (or correct the transfer), then retry.`,
          ],
          { retryable: true },
        );
      }
      entry = this.#entry(id, config);
      this.#current.set(id, entry);
    }
    const held = entry;
    held.users++;
    let released = false;
    return {
      client: held.client,
      writeTimeoutMs: held.writeTimeoutMs,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.status.retired && held.users === 0) this.#close(held);
      },
    };
  }

  /**
   * Stops following the registry and closes every client (call after the work has drained); their
   * breaker series go with them.
   */
  async close(): Promise<void> {
    this.#unsubscribe();
    this.#stopSource();
    const entries = [...this.#current.values(), ...this.#retired];
    for (const id of this.#current.keys()) this.#metrics?.breakerStateRemoved(id);
    for (const entry of entries) entry.status.retired = true;
    this.#current.clear();
    this.#retired.clear();
    await Promise.allSettled(entries.map((entry) => entry.client.close()));
  }

  /** A new client of an instance; its breaker reports until the entry is retired. */
  #entry(id: string, config: InstanceConfig): Entry {
    const metrics = this.#metrics;
    const status = { retired: false };
    const client = new ErpnextClient(config, {
      ...this.#options,
      ...(metrics === undefined
        ? {}
        : {
            onBreakerState: (state) => {
              if (!status.retired) metrics.breakerState(id, state);
            },
          }),
    });
    return { client, writeTimeoutMs: instanceLimits(config).writeTimeoutMs, users: 0, status };
  }

  #retire(id: string): void {
    const entry = this.#current.get(id);
    if (entry === undefined) return;
    this.#current.delete(id);
    entry.status.retired = true;
    this.#metrics?.breakerStateRemoved(id);
    this.#logger.info({ instance: id }, 'step clients: the instance changed; its client is replaced');
    if (entry.users === 0) this.#close(entry);
    else this.#retired.add(entry);
  }

  #close(entry: Entry): void {
    this.#retired.delete(entry);
    entry.client.close().catch((error: unknown) => {
      this.#logger.warn(
        { instance: entry.client.instanceId, err: error instanceof Error ? error.message : String(error) },
        'step clients: closing a replaced client failed',
      );
    });
  }
}
