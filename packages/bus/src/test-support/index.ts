/**
 * `@interco/bus/test-support`: helpers for tests of the packages and services built on the bus,
 * never for production code. The subpath has only the `@interco/source` condition (the TypeScript
 * source): tests resolve it (vitest and tsconfig.tests.json set that condition); the build
 * (`tsc -b`) excludes test-support and emits nothing for it, so nothing built can import it.
 */
export { type DemoSites, type DemoSitesOptions, demoSites, demoSitesForFile } from './demo-sites.js';
export {
  DEMO_TRANSFER_PARTIES,
  type DemoItem,
  type DemoTransferBody,
  type DemoTransferBodyOptions,
  demoRequest,
  demoTransfer,
  demoTransferBody,
} from './demo-transfer.js';
export {
  type RequestedTransfer,
  type RequestedTransferOptions,
  requestedTransfer,
} from './requested-transfer.js';
export { forwardContext, receiveInA, stepFailure } from './step-context.js';
export { sampleRecord, sampleRequest, sampleRequestedEvent } from './store-fixtures.js';
