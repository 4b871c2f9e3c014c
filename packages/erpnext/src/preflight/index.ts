/** Preflight: everything a transfer needs, checked in both instances, every problem reported. */
export { preflight } from './preflight.js';
export {
  PREFLIGHT_CHECKS,
  type PreflightCheck,
  type PreflightInstance,
  type PreflightOptions,
  type PreflightProblem,
  type PreflightReport,
} from './report.js';
export { SERIAL_PATHS_SHOWN } from './serials.js';
export { SERIAL_BATCH_SIZE } from './site-reader.js';
