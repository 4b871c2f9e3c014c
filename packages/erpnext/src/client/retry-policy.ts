/**
 * Retrying reads inside the client: exponential backoff with full jitter (a random delay in
 * [0, min(maxDelayMs, baseDelayMs * 2^(n-1)))), never shorter than the site's `Retry-After` (or
 * the time until the breaker half-opens), bounded by a number of attempts and by a total time:
 * a retry whose delay would end past `maxTotalMs` after the first attempt started is not made.
 * Only transient errors are retried. Writes never come here: a write that failed may have
 * committed, and only the caller can look before writing again.
 */
import { ErpnextError } from '../errors/erpnext-error.js';

export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retry). Default 4. */
  maxAttempts: number;
  /** Backoff base (ms). Default 200. */
  baseDelayMs: number;
  /** Cap of one backoff delay before jitter (ms); a longer Retry-After still wins. Default 5,000. */
  maxDelayMs: number;
  /** No retry may start later than this after the first attempt started (ms). Default 20,000. */
  maxTotalMs: number;
}

export const DEFAULT_READ_RETRY: Readonly<RetryPolicy> = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxTotalMs: 20_000,
};

export interface RetryHooks {
  /** Called before each wait. */
  onRetry?(error: ErpnextError, attempt: number, delayMs: number): void;
  /** [0, 1). Default Math.random. */
  random?(): number;
  sleep?(ms: number): Promise<void>;
  now?(): number;
}

/** The wait after `failedAttempts` failures (1 after the first). */
export function retryDelay(
  policy: RetryPolicy,
  failedAttempts: number,
  error: ErpnextError,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, error.retryAfterMs ?? 0);
}

/** Runs `attempt` until it succeeds, fails with a non-transient error, or the policy is spent. */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const sleep = hooks.sleep ?? defaultSleep;
  const started = now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof ErpnextError) || error.kind !== 'transient' || n >= policy.maxAttempts)
        throw error;
      const delay = retryDelay(policy, n, error, hooks.random);
      if (now() + delay - started > policy.maxTotalMs) throw error;
      hooks.onRetry?.(error, n, delay);
      await sleep(delay);
    }
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
