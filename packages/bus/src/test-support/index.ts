/**
 * `@interco/bus/test-support`: helpers for tests of the packages and services built on the bus,
 * never for production code. The subpath has only the `@interco/source` condition (the TypeScript
 * source): tests resolve it (vitest and tsconfig.tests.json set that condition); the build
 * (`tsc -b`) excludes test-support and emits nothing for it, so nothing built can import it.
 */
export { type DemoSites, demoSites, demoTransfer, forwardContext } from './step-context.js';
export { sampleRecord, sampleRequest, sampleRequestedEvent } from './store-fixtures.js';
