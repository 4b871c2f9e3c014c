/**
 * One opossum CircuitBreaker per instance, around every request. Only transient failures without
 * a 4xx status count (network, timeouts, 5xx): any 4xx answer, including 429 and 408 (transient
 * for the caller, who honours Retry-After), and any answer classified permanent, conflict or auth
 * means the site is up and answering, so opossum's `errorFilter` lets it through as a
 * non-failure (a burst of rate limiting must not cut the instance off). When open,
 * calls fail fast, without reaching the site, with a transient ErpnextError (reason
 * `breaker_open`) whose `retryAfterMs` says when the breaker half-opens; the first call after
 * that is the trial: success closes the breaker, failure opens it again.
 */
import CircuitBreaker from 'opossum';
import { classify } from '../errors/classify.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import type { Logger } from './logger.js';

export interface BreakerOptions {
  /** Open when more than this share of calls in the window failed. Default 50. */
  errorThresholdPercentage: number;
  /** No opening before this many calls in the window. Default 5. */
  volumeThreshold: number;
  /** How long it stays open before letting one trial call through (ms). Default 30,000. */
  resetTimeout: number;
  /** The statistics window (ms). Default 10,000. */
  rollingCountTimeout: number;
  /** Buckets in the window. Default 10. */
  rollingCountBuckets: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeout: 30_000,
  rollingCountTimeout: 10_000,
  rollingCountBuckets: 10,
};

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerHealth {
  state: BreakerState;
  /** When an open breaker lets a trial call through (epoch ms). Only while open. */
  halfOpenAt?: number;
  /** Counts in the rolling window. */
  window: { fires: number; successes: number; failures: number; rejects: number };
  /** Times it opened since the client started. */
  opened: number;
  /** Calls refused while open since the client started (none of them reached the site). */
  refused: number;
}

type Task = () => Promise<unknown>;

/** How long a call due for the trial waits for opossum's reset timer before trying anyway (ms). */
const HALF_OPEN_GRACE_MS = 50;

export class InstanceBreaker {
  readonly #instanceId: string;
  readonly #options: BreakerOptions;
  readonly #breaker: CircuitBreaker<[Task], unknown>;
  #openedAt: number | undefined;
  #opened = 0;
  #refused = 0;

  /** `onState` is told every change of state, and `closed` at once (ErpnextClientOptions.onBreakerState). */
  constructor(
    instanceId: string,
    options: Partial<BreakerOptions>,
    logger: Logger,
    onState: (state: BreakerState) => void = () => {},
  ) {
    this.#instanceId = instanceId;
    this.#options = { ...DEFAULT_BREAKER_OPTIONS, ...definedOnly(options) };
    this.#breaker = new CircuitBreaker<[Task], unknown>((task: Task) => task(), {
      name: `erpnext:${instanceId}`,
      timeout: false, // the transport has its own read and write timeouts
      errorThresholdPercentage: this.#options.errorThresholdPercentage,
      volumeThreshold: this.#options.volumeThreshold,
      resetTimeout: this.#options.resetTimeout,
      rollingCountTimeout: this.#options.rollingCountTimeout,
      rollingCountBuckets: this.#options.rollingCountBuckets,
      errorFilter: (error: unknown) => error instanceof ErpnextError && !countsAgainstSite(error),
    });
    const about = { instance: instanceId };
    this.#breaker.on('open', () => {
      this.#openedAt = Date.now();
      this.#opened++;
      onState('open');
      logger.warn({ ...about, resetTimeoutMs: this.#options.resetTimeout }, 'erpnext breaker opened');
    });
    this.#breaker.on('halfOpen', () => {
      onState('half-open');
      logger.info(about, 'erpnext breaker half-open');
    });
    this.#breaker.on('close', () => {
      this.#openedAt = undefined;
      onState('closed');
      logger.info(about, 'erpnext breaker closed');
    });
    onState('closed');
  }

  get options(): Readonly<BreakerOptions> {
    return this.#options;
  }

  /** Open and not yet due for a trial: a call now would be refused. */
  get refusing(): boolean {
    return this.#breaker.opened && !this.#due();
  }

  /**
   * Runs `task` through the breaker; refused calls reject with a `breaker_open` ErpnextError. A
   * call made once the half-open is due, but before opossum's reset timer has fired (timers run
   * a little behind the clock, more so on a busy event loop), waits for it and is the trial: a
   * read retried after `retryAfterMs` does not spend an attempt on being refused.
   */
  async run<T>(operation: string, task: () => Promise<T>): Promise<T> {
    if (this.#breaker.opened) {
      if (!this.#due()) throw this.openError(operation);
      await this.#halfOpened();
    }
    try {
      return (await this.#breaker.fire(task)) as T;
    } catch (error) {
      if (isOpenBreakerError(error)) throw this.openError(operation);
      throw error;
    }
  }

  /** The error for a call refused now (counted as refused). */
  openError(operation: string): ErpnextError {
    this.#refused++;
    const now = Date.now();
    const halfOpenAt = this.#breaker.opened ? (this.#openedAt ?? now) + this.#options.resetTimeout : now;
    return classify({ type: 'breaker_open', halfOpenAt }, { instanceId: this.#instanceId, operation, now });
  }

  /** Open, and its half-open time has come. */
  #due(): boolean {
    return this.#openedAt !== undefined && Date.now() >= this.#openedAt + this.#options.resetTimeout;
  }

  /** Resolves when opossum half-opens the breaker, or after a short grace if its timer is late. */
  #halfOpened(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#breaker.removeListener('halfOpen', done);
        resolve();
      };
      const timer = setTimeout(done, HALF_OPEN_GRACE_MS);
      this.#breaker.once('halfOpen', done);
    });
  }

  health(): BreakerHealth {
    const { fires, successes, failures, rejects } = this.#breaker.stats;
    const state: BreakerState = this.#breaker.opened
      ? 'open'
      : this.#breaker.halfOpen
        ? 'half-open'
        : 'closed';
    const health: BreakerHealth = {
      state,
      window: { fires, successes, failures, rejects },
      opened: this.#opened,
      refused: this.#refused,
    };
    if (state === 'open' && this.#openedAt !== undefined) {
      health.halfOpenAt = this.#openedAt + this.#options.resetTimeout;
    }
    return health;
  }

  /** Stops its timers; every later call is refused by opossum. */
  shutdown(): void {
    this.#breaker.shutdown();
  }
}

/** A failure that says the site is unwell: transient, and not a 4xx answer (429, 408). */
export function countsAgainstSite(error: ErpnextError): boolean {
  if (error.kind !== 'transient') return false;
  return error.status === undefined || error.status < 400 || error.status >= 500;
}

function isOpenBreakerError(error: unknown): boolean {
  return (
    error instanceof Error &&
    CircuitBreaker.isOurError(error) &&
    (error as { code?: unknown }).code === 'EOPENBREAKER'
  );
}

function definedOnly(options: Partial<BreakerOptions>): Partial<BreakerOptions> {
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as Partial<BreakerOptions>;
}
