/**
 * runStepService: a whole step service from its definition. Configuration from the environment
 * (checked at start, every problem at once), NATS, the stream, the worker, `/healthz` and
 * `/readyz`, and graceful shutdown: SIGTERM makes `/readyz` answer 503 at once, stops pulling,
 * lets the messages in hand finish (publish and ack), then drains the connection.
 */
import type { Step } from '@interco/contracts';
import {
  SECRET_KEY_ENV,
  SECRET_KEY_PREVIOUS_DESCRIPTION,
  SECRET_KEY_PREVIOUS_ENV,
  SecretBox,
} from '@interco/erpnext';
import {
  ConfigError,
  createLogger,
  createServiceMetrics,
  httpConfig,
  LogConfig,
  loadConfig,
  NatsConfig,
  onShutdown,
  runMain,
  startHealthServer,
} from '@interco/service';
import { jetstreamManager } from '@nats-io/jetstream';
import { type Static, Type } from '@sinclair/typebox';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { trackConnection } from '../nats/connection-state.js';
import { ensureStream } from '../stream/ensure-stream.js';
import type { StepDefinition } from './definition.js';
import {
  DEFAULT_ACK_WAIT_MS,
  DEFAULT_STEP_CONCURRENCY,
  DEFAULT_TIME_BUDGET_MS,
  MAX_ACK_WAIT_MS,
  startStepWorker,
} from './worker.js';

/** Each step service's default HTTP port (intake has 8080). */
export const STEP_DEFAULT_PORTS: Readonly<Record<Step, number>> = {
  po_a: 8081,
  pr_a: 8082,
  dn_a: 8083,
  pr_b: 8084,
};

export function stepServiceConfig(step: Step) {
  return Type.Object({
    ...NatsConfig,
    ...httpConfig(STEP_DEFAULT_PORTS[step]),
    ...LogConfig,
    [SECRET_KEY_ENV]: Type.String({
      minLength: 1,
      description: '32 random bytes, base64 or hex: opens the manifests and the instances’ credentials',
    }),
    [SECRET_KEY_PREVIOUS_ENV]: Type.Optional(Type.String({ description: SECRET_KEY_PREVIOUS_DESCRIPTION })),
    STEP_CONCURRENCY: Type.Integer({
      minimum: 1,
      maximum: 256,
      default: DEFAULT_STEP_CONCURRENCY,
      description: 'messages worked on at once',
    }),
    STEP_ACK_WAIT_MS: Type.Integer({
      minimum: 1_000,
      maximum: MAX_ACK_WAIT_MS,
      default: DEFAULT_ACK_WAIT_MS,
      description:
        'the consumer’s ack_wait (at most 5 min); the heartbeat beats every third of it, at least every 5 s',
    }),
    STEP_TIME_BUDGET_MS: Type.Integer({
      minimum: 1_000,
      default: DEFAULT_TIME_BUDGET_MS,
      description: 'how long transient failures are retried, from the input event’s time',
    }),
    STEP_BACKOFF_MIN_MS: Type.Integer({ minimum: 1, default: 1_000, description: 'the shortest backoff' }),
    STEP_BACKOFF_MAX_MS: Type.Integer({ minimum: 1, default: 60_000, description: 'the longest backoff' }),
  });
}

export type StepServiceConfig = Static<ReturnType<typeof stepServiceConfig>>;

/** Reads and checks the step service's configuration; ConfigError lists every problem. */
export function loadStepServiceConfig(
  step: Step,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { config: StepServiceConfig; box: SecretBox } {
  const config = loadConfig(stepServiceConfig(step), env);
  const problems: { variable: string; message: string }[] = [];
  // The key ring: INTERCO_SECRET_KEY, then its previous keys. SecretBox's messages never show a key.
  let box: SecretBox | undefined;
  let variable = SECRET_KEY_ENV;
  try {
    const key = SecretBox.fromKeyText(config[SECRET_KEY_ENV]);
    variable = SECRET_KEY_PREVIOUS_ENV;
    box = key.withPrevious(config[SECRET_KEY_PREVIOUS_ENV]);
  } catch (error) {
    problems.push({ variable, message: error instanceof Error ? error.message : 'cannot be used' });
  }
  if (config.STEP_BACKOFF_MAX_MS < config.STEP_BACKOFF_MIN_MS) {
    problems.push({ variable: 'STEP_BACKOFF_MAX_MS', message: 'must be at least STEP_BACKOFF_MIN_MS' });
  }
  if (problems.length > 0 || box === undefined) throw new ConfigError(problems);
  return { config, box };
}

export function runStepService(definition: StepDefinition): void {
  runMain(definition.service, async () => {
    const { config, box } = loadStepServiceConfig(definition.step);
    const logger = createLogger(definition.service, { level: config.LOG_LEVEL });
    const metrics = createServiceMetrics(definition.service, logger);
    const names = busNames(config.INTERCO_NAMESPACE);
    const nc = await connectNats({ url: config.NATS_URL, name: `interco-${definition.service}` });
    const connection = trackConnection(nc);
    await ensureStream(await jetstreamManager(nc), names);
    const worker = await startStepWorker({
      nc,
      names,
      definition,
      box,
      logger,
      concurrency: config.STEP_CONCURRENCY,
      ackWaitMs: config.STEP_ACK_WAIT_MS,
      timeBudgetMs: config.STEP_TIME_BUDGET_MS,
      backoff: { minMs: config.STEP_BACKOFF_MIN_MS, maxMs: config.STEP_BACKOFF_MAX_MS },
      metrics,
    });
    let stopping = false;
    const health = await startHealthServer({
      host: config.HOST,
      port: config.PORT,
      logger,
      metrics,
      checks: [
        { name: 'nats', check: () => connection.connected() && !nc.isDraining() },
        { name: 'worker', check: () => worker.ready() },
        { name: 'not_draining', check: () => !stopping },
      ],
    });
    logger.info({ url: health.url, namespace: config.INTERCO_NAMESPACE }, `${definition.service} is running`);
    onShutdown(logger, async () => {
      stopping = true;
      await worker.drain();
      connection.stop();
      await nc.drain();
      await health.close();
    });
  });
}
