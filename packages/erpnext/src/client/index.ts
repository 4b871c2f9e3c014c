/**
 * The resilient ERPNext client: one per instance. A service that keeps clients per instance
 * closes every client it replaces or drops (InstanceCache.onChange -> old client.close()).
 */
export {
  type BreakerHealth,
  type BreakerOptions,
  type BreakerState,
  DEFAULT_BREAKER_OPTIONS,
} from './breaker.js';
export {
  type CallOptions,
  type ClientHealth,
  ErpnextClient,
  type ErpnextClientOptions,
  type ErpnextDoc,
  type ErpnextRow,
  type InsertOptions,
  type ListAllOptions,
} from './erpnext-client.js';
export { InFlightLimiter, type InFlightStats } from './in-flight-limiter.js';
export { type InstanceSettings, resolveInstance } from './instance-settings.js';
export { DEFAULT_MAX_GET_TARGET_BYTES, type ListFilters, type ListOptions } from './list-request.js';
export { type Logger, silentLogger } from './logger.js';
export type { ErpnextMetrics } from './metrics.js';
export {
  DEFAULT_READ_RETRY,
  type RetryHooks,
  type RetryPolicy,
  retryDelay,
  withRetry,
} from './retry-policy.js';
