export * from './client/index.js';
export * from './documents/index.js';
export * from './errors/index.js';
export {
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_READ_TIMEOUT_MS,
  DEFAULT_WORKER_TIMEOUT_MS,
  DEFAULT_WRITE_TIMEOUT_MS,
  InstanceConfig,
  instanceLimits,
  timeoutProblems,
} from './instances/instance-config.schema.js';
export * from './markers/index.js';
export * from './preflight/index.js';
export { normalizeBaseUrl } from './registry/base-url.js';
export { type CacheSource, InstanceCache, type InstanceCacheOptions } from './registry/instance-cache.js';
export {
  apiKeyHint,
  DEFAULT_REGISTRY_BUCKET,
  type InstanceChanges,
  InstanceRegistry,
  type InstanceTest,
  RegistryError,
} from './registry/instance-registry.js';
export { isWrongLastSequence } from './registry/kv-errors.js';
export {
  keysOf,
  keyUsageOf,
  type ResealCounts,
  type ResealRecords,
  resealRecords,
} from './registry/kv-records.js';
export {
  countKeyUsage,
  emptyKeyUsage,
  type KeyUsage,
  SEALED_HEAD_LENGTH,
  SECRET_KEY_ENV,
  SECRET_KEY_PREVIOUS_DESCRIPTION,
  SECRET_KEY_PREVIOUS_ENV,
  type SealedHead,
  type SealingKey,
  SecretBox,
} from './registry/secret-box.js';
export { InstanceSummary, StoredInstance } from './registry/stored-instance.schema.js';
