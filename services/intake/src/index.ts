export { buildIntakeApp, DEFAULT_BODY_LIMIT } from './app.js';
export { type IntakeConfig, IntakeConfigSchema, loadIntakeConfig } from './config.js';
export type { IntakeDeps, RequestCaps } from './deps.js';
export { PLAN_MESSAGE, PLAN_ROUTE } from './routes/plan-route.js';
export { type RunningIntake, type StartIntakeOptions, startIntake } from './start-intake.js';
export { type BodyCaps, largestQuantities, maxBodyBytes } from './transfers/body-limit.js';
export {
  applyLifecycleEvent,
  LIFECYCLE_CONSUMER,
  type LifecycleConsumer,
  startLifecycleConsumer,
} from './transfers/lifecycle-consumer.js';
export { INTAKE_SOURCE } from './transfers/submit-transfer.js';
