/**
 * The local stack (`pnpm dev`) and the demo (`pnpm demo`) as a library: for tests and tools that
 * want the whole stack, or its files, from code. The commands are `src/dev.ts` and `src/demo.ts`.
 */
export { type DemoArgs, type DevArgs, parseDemoArgs, parseDevArgs } from './args.js';
export { type SampleTransfer, sampleTransfers } from './demo/sample-transfers.js';
export { type StackLayout, stackLayout } from './layout.js';
export { DEFAULT_PORT_BASE, type PortPlan, portPlan, SERVICE_NAMES, type ServiceName } from './ports.js';
export { type ChildFailure, LocalStack, type StackOptions } from './stack.js';
export { readStackFile, StackFile, type StackFileState } from './stack-file.js';
