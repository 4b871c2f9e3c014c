export {
  BREAKER_STATE_VALUES,
  type BreakerStateName,
  CATALOGUE,
  type CatalogueKey,
  type MetricDefinition,
  type MetricType,
  STEP_OUTCOMES,
  type StepOutcome,
  SUBMIT_OUTCOMES,
  type SubmitOutcome,
} from './catalogue.js';
export { EXPOSITION_CONTENT_TYPE, type MetricsExposition, type MetricsSource } from './exposition.js';
export { findSamples, parseExposition, type Sample } from './parse.js';
export {
  type ConsumerCounts,
  type ErpnextErrorLabels,
  type ErpnextRequestLabels,
  ServiceMetrics,
  type ServiceMetricsOptions,
} from './service-metrics.js';
