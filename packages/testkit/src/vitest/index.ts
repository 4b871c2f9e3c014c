import { expect, inject } from 'vitest';
import { namespaceFor, type TestNamespace } from './namespace.js';
import { MONGO_URL_KEY, NATS_URL_KEY } from './provided-context.js';

export { LocalFerretDb, type LocalFerretDbOptions } from '../ferretdb.js';
export { LocalNatsServer, type LocalNatsServerOptions } from '../nats-server.js';
export { namespaceFor, type TestNamespace } from './namespace.js';

/**
 * Fresh names for the calling test file (subject prefix, stream, database), unique per call:
 * derived from the test file's name plus a random suffix.
 */
export function testNamespace(): TestNamespace {
  return namespaceFor(expect.getState().testPath ?? 'test');
}

function provided(key: typeof NATS_URL_KEY | typeof MONGO_URL_KEY): string {
  const value: unknown = inject(key);
  if (typeof value !== 'string' || value === '') {
    throw new Error(
      `${key} was not provided: run this test in a vitest project whose globalSetup is @interco/testkit/global-setup (the "int" project).`,
    );
  }
  return value;
}

/** The URL of the run's shared nats-server (JetStream enabled). */
export function natsUrl(): string {
  return provided(NATS_URL_KEY);
}

/** The URL of the run's shared MongoDB-wire server. */
export function mongoUrl(): string {
  return provided(MONGO_URL_KEY);
}
