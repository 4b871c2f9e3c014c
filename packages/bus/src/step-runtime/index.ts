/**
 * The one step runtime the four step services share (docs/pipeline.md, "One step runtime"): a
 * StepDefinition says which step, instance and doctype, and how to build a chunk's document; the
 * runtime does the consumer, decisions, leases, heartbeats, retries, compensation and events.
 */
export {
  type BackoffOptions,
  backoffCeiling,
  backoffDelay,
  DEFAULT_BACKOFF,
  leaseHeldDelay,
} from './backoff.js';
export { type HeldClient, type InstanceSource, StepClients } from './clients.js';
export { ensureStepConsumer, type StepConsumerOptions, stepConsumerConfig } from './consumer.js';
export { type DecideInput, type Decision, decide, type RecordView } from './decide.js';
export type { ForwardContext, StepDefinition } from './definition.js';
export { type ErrorInfo, errorInfo } from './error-info.js';
export {
  type FailureAction,
  type FailurePolicyInput,
  failureAction,
  type Waiting,
  waitingReason,
} from './failure-policy.js';
export { LEASE_MARGIN_MS } from './handler.js';
export {
  consumerName,
  type InputRole,
  inputFilterSubjects,
  inputRole,
  inputTypes,
  type StepInputs,
  stepInputs,
} from './inputs.js';
export {
  loadStepServiceConfig,
  runStepService,
  STEP_DEFAULT_PORTS,
  type StepServiceConfig,
  stepServiceConfig,
} from './service.js';
export { LeaseLostError, StepFailure, type StepFailureOptions, TransientStepError } from './step-errors.js';
export type { DocumentRef } from './step-run.js';
export {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_STEP_CONCURRENCY,
  DEFAULT_TIME_BUDGET_MS,
  type StepWorker,
  type StepWorkerOptions,
  startStepWorker,
} from './worker.js';
