import type { FaultConfig, FaultRule } from './fault-config.schema.js';
import { WorkerPool } from './worker-pool.js';

export const DEFAULT_WORKER_TIMEOUT_MS = 120_000;
/** MariaDB's innodb_lock_wait_timeout default. */
export const DEFAULT_LOCK_WAIT_TIMEOUT_MS = 50_000;

/** What a request is, for matching fault rules. */
export interface FaultTarget {
  httpMethod: string;
  doctype?: string | undefined;
  method?: string | undefined;
}

export type InjectedError = { status: 500 | 502 | 503 | 504 | 429; kind?: 'deadlock' | 'lock_timeout' };

/** What the faults decided for one request. */
export interface FaultPlan {
  latencyMs: number;
  perSerialMs: number;
  error: InjectedError | undefined;
  retryAfterS: number | undefined;
  commitThenDrop: boolean;
  slowCommitMs: number;
  /**
   * Gives back the `times` taken by commit-then-drop and slow-commit rules when the request ends
   * without committing: those faults never happened.
   */
  refund(): void;
}

/** A site's faults, changeable at run time; `random` is injectable for deterministic tests. */
export class Faults {
  readonly pool = new WorkerPool(0);
  #config: FaultConfig = {};
  #remaining = new Map<FaultRule, number>();

  constructor(private readonly random: () => number = Math.random) {}

  set(config: FaultConfig): void {
    this.#config = structuredClone(config);
    this.#remaining = new Map(
      (this.#config.rules ?? []).filter((r) => r.times !== undefined).map((r) => [r, r.times ?? 0]),
    );
    this.pool.resize(config.workers ?? 0);
  }

  get(): FaultConfig {
    const rules = (this.#config.rules ?? []).map((rule) =>
      this.#remaining.has(rule) ? { ...rule, times: this.#remaining.get(rule) ?? 0 } : rule,
    );
    return { ...this.#config, rules: rules.filter((rule) => rule.times !== 0) };
  }

  get workerTimeoutMs(): number {
    return this.#config.worker_timeout_ms ?? DEFAULT_WORKER_TIMEOUT_MS;
  }

  get lockWaitTimeoutMs(): number {
    return this.#config.lock_wait_timeout_ms ?? DEFAULT_LOCK_WAIT_TIMEOUT_MS;
  }

  /** Decides the faults of one request (consuming `times` of the rules that applied). */
  plan(target: FaultTarget): FaultPlan {
    const plan: FaultPlan = {
      latencyMs: 0,
      perSerialMs: 0,
      error: undefined,
      retryAfterS: undefined,
      commitThenDrop: false,
      slowCommitMs: 0,
      refund: () => {
        for (const rule of atCommit.splice(0)) this.#giveBack(rule);
      },
    };
    const atCommit: FaultRule[] = [];
    const isWrite = target.httpMethod !== 'GET';
    for (const rule of this.#config.rules ?? []) {
      if (!this.#matches(rule, target, isWrite)) continue;
      let applied = false;
      if (rule.latency_ms) {
        plan.latencyMs += rule.latency_ms;
        applied = true;
      }
      if (rule.per_serial_ms) {
        plan.perSerialMs += rule.per_serial_ms;
        applied = true;
      }
      if (plan.error === undefined && rule.error_rates) {
        plan.error = this.#pickError(rule.error_rates);
        if (plan.error !== undefined) {
          plan.retryAfterS = rule.retry_after_s;
          applied = true;
        }
      }
      const appliedBefore = applied;
      if (isWrite && rule.commit_then_drop !== undefined && !plan.commitThenDrop) {
        const p =
          rule.commit_then_drop === true ? 1 : rule.commit_then_drop === false ? 0 : rule.commit_then_drop;
        if (p > 0 && this.random() < p) {
          plan.commitThenDrop = true;
          applied = true;
        }
      }
      if (isWrite && rule.slow_commit_ms && this.#rolls(rule.slow_commit_rate)) {
        plan.slowCommitMs = Math.max(plan.slowCommitMs, rule.slow_commit_ms);
        applied = true;
      }
      if (applied) this.#consume(rule);
      // a rule that only acts at commit is given back if the request never commits
      if (applied && !appliedBefore) atCommit.push(rule);
    }
    return plan;
  }

  #matches(rule: FaultRule, target: FaultTarget, isWrite: boolean): boolean {
    if (this.#remaining.get(rule) === 0) return false;
    const m = rule.match;
    if (m === undefined) return true;
    if (m.doctype !== undefined && m.doctype !== target.doctype) return false;
    if (m.method !== undefined && m.method !== target.method) return false;
    if (m.http_method !== undefined && m.http_method.toUpperCase() !== target.httpMethod) return false;
    if (m.writes_only && !isWrite) return false;
    return true;
  }

  #pickError(rates: NonNullable<FaultRule['error_rates']>): InjectedError | undefined {
    const roll = this.random();
    let edge = 0;
    const choices: Array<[number | undefined, InjectedError]> = [
      [rates.deadlock, { status: 500, kind: 'deadlock' }],
      [rates.lock_timeout, { status: 500, kind: 'lock_timeout' }],
      [rates['500'], { status: 500 }],
      [rates['502'], { status: 502 }],
      [rates['503'], { status: 503 }],
      [rates['504'], { status: 504 }],
      [rates['429'], { status: 429 }],
    ];
    for (const [rate, error] of choices) {
      edge += rate ?? 0;
      if (rate && roll < edge) return error;
    }
    return undefined;
  }

  /** A roll against a rate; an absent rate always applies. */
  #rolls(rate: number | undefined): boolean {
    if (rate === undefined) return true;
    return rate > 0 && this.random() < rate;
  }

  #consume(rule: FaultRule): void {
    const left = this.#remaining.get(rule);
    if (left !== undefined) this.#remaining.set(rule, Math.max(0, left - 1));
  }

  #giveBack(rule: FaultRule): void {
    const left = this.#remaining.get(rule);
    if (left !== undefined) this.#remaining.set(rule, left + 1);
  }
}
