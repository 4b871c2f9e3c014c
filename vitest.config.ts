import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages export their TypeScript source under the "@interco/source" condition, so
// tests run against source without a build; the build (tsc -b) resolves to dist like Node does.
// Tests run in Vite's server (SSR) environment, whose conditions are set apart from the client's.
const conditions = ['@interco/source', ...defaultServerConditions];
const resolve = { conditions };
const ssr = { resolve: { conditions, externalConditions: ['@interco/source'] } };
const include = (kind: string) => [
  `{packages,services,tools}/*/src/**/*.${kind}.test.ts`,
  `deploy/checks/**/*.${kind}.test.ts`,
];

export default defineConfig({
  test: {
    reporters: ['default', './packages/testkit/src/vitest/closing-line-reporter.ts'],
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: include('unit'),
          benchmark: { include: ['{packages,services}/*/src/**/*.bench.ts'] },
        },
      },
      {
        resolve,
        ssr,
        // Tests over HTTP against servers the test starts itself (e.g. the ERPNext simulator).
        test: { name: 'http', include: include('http'), benchmark: { include: [] }, testTimeout: 30_000 },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'int',
          include: include('int'),
          benchmark: { include: [] },
          globalSetup: ['./packages/testkit/src/vitest/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        ssr,
        // The whole pipeline: intake and the four steps against real NATS and simulated ERPNext.
        test: {
          name: 'e2e',
          include: ['e2e/src/**/*.e2e.test.ts'],
          benchmark: { include: [] },
          globalSetup: ['./packages/testkit/src/vitest/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
