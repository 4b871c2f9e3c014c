export {
  BREAKER_STATE_VALUES,
  type BreakerStateName,
  CATALOGUE,
  ERPNEXT_ERROR_KINDS,
  ERPNEXT_ERROR_REASONS,
  ERPNEXT_METHODS,
  ERPNEXT_NO_ANSWER_STATUSES,
  ERPNEXT_OPERATIONS,
  type ErpnextErrorKindLabel,
  type ErpnextErrorReasonLabel,
  type ErpnextMethod,
  type ErpnextOperation,
  isErpnextStatusLabel,
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
export { withinTime } from './within-time.js';
