export { ConfigChecks } from './config/config-checks.js';
export { ConfigError, type ConfigProblem, isConfigError } from './config/config-error.js';
export { expectation } from './config/describe.js';
export {
  HttpConfig,
  httpConfig,
  LOG_LEVELS,
  LogConfig,
  type LogLevel,
  NatsConfig,
} from './config/fragments.js';
export { isSecretVariable, loadConfig } from './config/load-config.js';
export {
  type HealthServer,
  type HealthServerOptions,
  type ReadyCheck,
  startHealthServer,
} from './health/health-server.js';
export { isEntryPoint } from './lifecycle/entry-point.js';
export { type RunMainOptions, runMain } from './lifecycle/run-main.js';
export { onShutdown, type ShutdownOptions } from './lifecycle/shutdown.js';
export { createLogger, type Logger, type LoggerOptions } from './logging/logger.js';
export { REDACT_PATHS, REDACTED } from './logging/redaction.js';
export { createServiceMetrics } from './metrics/service-metrics.js';
