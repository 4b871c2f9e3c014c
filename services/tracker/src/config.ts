import { BOOTSTRAP_HASH_ENV, parseBootstrapHash } from '@interco/auth';
import {
  SECRET_KEY_ENV,
  SECRET_KEY_PREVIOUS_DESCRIPTION,
  SECRET_KEY_PREVIOUS_ENV,
  SecretBox,
} from '@interco/erpnext';
import { ConfigChecks, ConfigError, httpConfig, LogConfig, NatsConfig } from '@interco/service';
import { type Static, Type } from '@sinclair/typebox';

/** The tracker's environment: every variable, its default and what it is for (README.md lists them). */
export const TrackerConfigSchema = Type.Object({
  ...NatsConfig,
  ...httpConfig(8085),
  ...LogConfig,
  MONGODB_URL: Type.String({
    minLength: 1,
    pattern: '^mongodb(\\+srv)?://',
    description: 'the MongoDB (or FerretDB) connection string of the read model',
  }),
  MONGODB_DB: Type.String({
    pattern: '^[A-Za-z0-9_-]{1,38}$',
    default: 'interco',
    description: 'the database of the read model (collections transfers and serials)',
  }),
  [SECRET_KEY_ENV]: Type.String({
    minLength: 1,
    description: '32 random bytes, base64 or hex: opens manifests, keys serial digests (as intake)',
  }),
  [SECRET_KEY_PREVIOUS_ENV]: Type.Optional(Type.String({ description: SECRET_KEY_PREVIOUS_DESCRIPTION })),
  [BOOTSTRAP_HASH_ENV]: Type.Optional(
    Type.String({ description: 'SHA-256 (hex) of the bootstrap admin token; unset: no bootstrap token' }),
  ),
  TRACKER_STUCK_AFTER_MS: Type.Integer({
    minimum: 1,
    default: 900_000,
    description: 'a running transfer with no event for longer than this is stuck',
  }),
  TRACKER_START_SEQUENCE: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'first creation of the durable consumer: start at this stream sequence',
    }),
  ),
  TRACKER_START_TIME: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'first creation of the durable consumer: start at this time (RFC 3339)',
    }),
  ),
  TRACKER_BATCH_SIZE: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 256,
    description: 'most events fetched and applied in one batch',
  }),
  TRACKER_MAX_LIVE_STREAMS: Type.Integer({
    minimum: 1,
    maximum: 10_000,
    default: 100,
    description: 'most /v1/live streams open at once in this process (503 beyond)',
  }),
  TRACKER_CONSOLE_INTAKE_URL: Type.Optional(
    Type.String({
      description:
        'the intake URL the console (/console/) writes to, e.g. http://127.0.0.1:8080 (list the console’s origin in intake’s INTAKE_CORS_ORIGINS); unset: the console’s own origin (both APIs behind one host)',
    }),
  ),
  TRACKER_COUNTS_MAX_AGE_MS: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 5_000,
    description:
      'how long the counts of a filter (/v1/transfers/counts, interco_transfers) are answered from the cache, from when their count ended, before they are counted again; also how long a filter whose count failed or timed out is not counted again',
  }),
  TRACKER_COUNTS_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 600_000,
    default: 10_000,
    description:
      'how long a count may take (maxTimeMS, then given up): beyond, the last counts of that filter, else 503 counts_unavailable',
  }),
  TRACKER_LIVE_DRAIN_TIMEOUT_MS: Type.Integer({
    minimum: 1_000,
    maximum: 600_000,
    default: 30_000,
    description: 'a /v1/live client not reading what it is sent for longer than this is closed',
  }),
});
export type TrackerEnv = Static<typeof TrackerConfigSchema>;

export interface TrackerConfig {
  readonly natsUrl: string;
  readonly namespace: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly mongoUrl: string;
  readonly mongoDb: string;
  readonly box: SecretBox;
  readonly bootstrapHash: string | undefined;
  readonly stuckAfterMs: number;
  readonly startSequence: number | undefined;
  readonly startTime: Date | undefined;
  readonly batchSize: number;
  readonly maxLiveStreams: number;
  readonly liveDrainTimeoutMs: number;
  readonly countsMaxAgeMs: number;
  readonly countsTimeoutMs: number;
  /** Where the console writes to; "" (unset): its own origin. */
  readonly consoleIntakeUrl: string;
}

/**
 * TRACKER_CONSOLE_INTAKE_URL: an http(s) URL without credentials, query or fragment; answered
 * without a trailing slash (the console appends `/v1/...`).
 */
export function parseConsoleIntakeUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error('must be a URL, e.g. http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http or https URL');
  if (url.username !== '' || url.password !== '') throw new Error('must not carry a user name or password');
  if (url.search !== '' || url.hash !== '') throw new Error('must not have a query or a fragment');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * The tracker's configuration from the environment; a ConfigError lists every problem (the
 * secret key and the bootstrap hash are checked here too, never echoed).
 */
export function loadTrackerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TrackerConfig {
  const checks = new ConfigChecks(TrackerConfigSchema, env);
  const key = checks.check(SECRET_KEY_ENV, () => SecretBox.fromKeyText(env[SECRET_KEY_ENV] ?? ''));
  const box = checks.check(SECRET_KEY_PREVIOUS_ENV, () => key?.withPrevious(env[SECRET_KEY_PREVIOUS_ENV]));
  const bootstrapHash = checks.optional(BOOTSTRAP_HASH_ENV, env, parseBootstrapHash);
  const consoleIntakeUrl = checks.optional('TRACKER_CONSOLE_INTAKE_URL', env, parseConsoleIntakeUrl);
  if (checks.raw?.TRACKER_START_SEQUENCE !== undefined && checks.raw.TRACKER_START_TIME !== undefined) {
    checks.problem(
      'TRACKER_START_TIME',
      'cannot be set together with TRACKER_START_SEQUENCE (one start position)',
    );
  }
  const raw = checks.done();
  if (box === undefined) throw new ConfigError(checks.problems);
  return {
    natsUrl: raw.NATS_URL,
    namespace: raw.INTERCO_NAMESPACE,
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    mongoUrl: raw.MONGODB_URL,
    mongoDb: raw.MONGODB_DB,
    box,
    bootstrapHash,
    stuckAfterMs: raw.TRACKER_STUCK_AFTER_MS,
    startSequence: raw.TRACKER_START_SEQUENCE,
    startTime: raw.TRACKER_START_TIME === undefined ? undefined : new Date(raw.TRACKER_START_TIME),
    batchSize: raw.TRACKER_BATCH_SIZE,
    maxLiveStreams: raw.TRACKER_MAX_LIVE_STREAMS,
    liveDrainTimeoutMs: raw.TRACKER_LIVE_DRAIN_TIMEOUT_MS,
    countsMaxAgeMs: raw.TRACKER_COUNTS_MAX_AGE_MS,
    countsTimeoutMs: raw.TRACKER_COUNTS_TIMEOUT_MS,
    consoleIntakeUrl: consoleIntakeUrl ?? '',
  };
}
