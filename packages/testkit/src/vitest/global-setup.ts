import type { TestProject } from 'vitest/node';
import { describeServer, type RunningServer, startMongo, startNats } from '../servers.js';
import { MONGO_URL_KEY, NATS_URL_KEY } from './provided-context.js';

/**
 * Vitest global setup: one nats-server (JetStream) and one MongoDB-wire server for the whole run,
 * provided to test files as `interco.natsUrl` / `interco.mongoUrl` (see `natsUrl()` / `mongoUrl()`
 * in `@interco/testkit/vitest`). Returns the teardown that stops both.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [nats, mongo] = await Promise.allSettled([startNats(), startMongo()]);
  const started = [nats, mongo].flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stopAll = async (servers: readonly RunningServer[]) => {
    await Promise.allSettled(servers.map((server) => server.stop()));
  };
  if (nats.status === 'rejected' || mongo.status === 'rejected') {
    await stopAll(started);
    const reasons = [nats, mongo].flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    const messages = reasons.map((reason: unknown) =>
      reason instanceof Error ? reason.message : String(reason),
    );
    throw new Error(`testkit: could not start the test servers:\n- ${messages.join('\n- ')}`, {
      cause: reasons[0],
    });
  }
  project.provide(NATS_URL_KEY, nats.value.url);
  project.provide(MONGO_URL_KEY, mongo.value.url);
  console.log(describeServer(nats.value));
  console.log(describeServer(mongo.value));
  return () => stopAll(started);
}
