import { BOOTSTRAP_HASH_ENV, parseBootstrapHash } from '@interco/auth';
import { DEFAULT_MAX_ITEMS_PER_TRANSFER, DEFAULT_MAX_SERIALS_PER_TRANSFER } from '@interco/contracts';
import {
  type ChunkingLimits,
  ChunkingOptionsError,
  chunkingFingerprint,
  resolveChunkingLimits,
  SECRET_KEY_ENV,
  SECRET_KEY_PREVIOUS_DESCRIPTION,
  SECRET_KEY_PREVIOUS_ENV,
  SecretBox,
} from '@interco/erpnext';
import {
  ConfigChecks,
  ConfigError,
  type ConfigProblem,
  httpConfig,
  LogConfig,
  NatsConfig,
} from '@interco/service';
import { type Static, Type } from '@sinclair/typebox';
import { parseCorsOrigins } from './cors.js';

/** intake's environment: every variable, its default and what it is for (README.md lists them). */
export const IntakeConfigSchema = Type.Object({
  ...NatsConfig,
  ...httpConfig(8080),
  ...LogConfig,
  [SECRET_KEY_ENV]: Type.String({
    minLength: 1,
    description:
      '32 random bytes, base64 or hex: seals manifests and instance credentials, keys serial digests',
  }),
  [SECRET_KEY_PREVIOUS_ENV]: Type.Optional(Type.String({ description: SECRET_KEY_PREVIOUS_DESCRIPTION })),
  [BOOTSTRAP_HASH_ENV]: Type.Optional(
    Type.String({ description: 'SHA-256 (hex) of the bootstrap admin token; unset: no bootstrap token' }),
  ),
  INTERCO_MAX_SERIALS: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    default: DEFAULT_MAX_SERIALS_PER_TRANSFER,
    description: 'most serials in one transfer (the body limit follows from it)',
  }),
  INTERCO_MAX_ITEMS: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: DEFAULT_MAX_ITEMS_PER_TRANSFER,
    description: 'most items in one transfer (the body limit follows from it)',
  }),
  INTERCO_STATUS_BASE_URL: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s]+$',
      description: 'the tracker’s base URL for status_url; unset: status_url is the path /v1/transfers/<id>',
    }),
  ),
  INTAKE_CORS_ORIGINS: Type.Optional(
    Type.String({
      description:
        'comma-separated origins (scheme://host[:port]) whose pages may call this API from a browser: the operations console’s, e.g. http://127.0.0.1:8085; unset: no CORS headers at all',
    }),
  ),
  INTERCO_MAX_SERIALS_PER_DOCUMENT: Type.Optional(
    Type.Integer({ minimum: 1, description: 'chunking: default 1,000' }),
  ),
  INTERCO_MAX_ROWS_PER_DOCUMENT: Type.Optional(
    Type.Integer({ minimum: 1, description: 'chunking: default 50' }),
  ),
  INTERCO_MAX_ROW_BYTES: Type.Optional(Type.Integer({ minimum: 1, description: 'chunking: default 49,152' })),
  INTERCO_MAX_SERIALS_PER_ROW: Type.Optional(
    Type.Integer({ minimum: 1, description: 'chunking: default 1,000' }),
  ),
  INTERCO_MAX_DOCUMENT_BYTES: Type.Optional(
    Type.Integer({ minimum: 1, description: 'chunking: default 4 MiB' }),
  ),
});
export type IntakeEnv = Static<typeof IntakeConfigSchema>;

/** The chunking variables and the option of resolveChunkingLimits each sets. */
const CHUNKING_VARIABLES = {
  INTERCO_MAX_SERIALS_PER_DOCUMENT: 'maxSerialsPerDocument',
  INTERCO_MAX_ROWS_PER_DOCUMENT: 'maxRowsPerDocument',
  INTERCO_MAX_ROW_BYTES: 'maxRowBytes',
  INTERCO_MAX_SERIALS_PER_ROW: 'maxSerialsPerRow',
  INTERCO_MAX_DOCUMENT_BYTES: 'maxDocumentBytes',
} as const;

export interface IntakeConfig {
  readonly natsUrl: string;
  readonly namespace: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly box: SecretBox;
  readonly bootstrapHash: string | undefined;
  readonly maxSerials: number;
  readonly maxItems: number;
  readonly statusBaseUrl: string | undefined;
  /** INTAKE_CORS_ORIGINS: the origins answered with CORS headers (none: no CORS). */
  readonly corsOrigins: readonly string[];
  /** The chunking limits every new transfer is fixed with, and their fingerprint. */
  readonly chunking: { readonly limits: ChunkingLimits; readonly fingerprint: string };
}

/**
 * intake's configuration from the environment; a ConfigError lists every problem (the secret
 * key, the bootstrap hash and the chunking limits are checked here too, never echoed).
 */
export function loadIntakeConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): IntakeConfig {
  const checks = new ConfigChecks(IntakeConfigSchema, env);
  const key = checks.check(SECRET_KEY_ENV, () => SecretBox.fromKeyText(env[SECRET_KEY_ENV] ?? ''));
  const box = checks.check(SECRET_KEY_PREVIOUS_ENV, () => key?.withPrevious(env[SECRET_KEY_PREVIOUS_ENV]));
  const bootstrapHash = checks.optional(BOOTSTRAP_HASH_ENV, env, parseBootstrapHash);
  const corsOrigins = checks.optional('INTAKE_CORS_ORIGINS', env, parseCorsOrigins);
  const limits = checks.raw === undefined ? undefined : chunkingLimits(checks.raw, checks.problems);
  const raw = checks.done();
  if (box === undefined || limits === undefined) throw new ConfigError(checks.problems);
  return {
    natsUrl: raw.NATS_URL,
    namespace: raw.INTERCO_NAMESPACE,
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    box,
    bootstrapHash,
    maxSerials: raw.INTERCO_MAX_SERIALS,
    maxItems: raw.INTERCO_MAX_ITEMS,
    statusBaseUrl: raw.INTERCO_STATUS_BASE_URL,
    corsOrigins: corsOrigins ?? [],
    chunking: { limits, fingerprint: chunkingFingerprint(limits) },
  };
}

/** The chunking limits from their variables; their problems are added to `problems`. */
function chunkingLimits(raw: IntakeEnv, problems: ConfigProblem[]): ChunkingLimits | undefined {
  const options = Object.fromEntries(
    Object.entries(CHUNKING_VARIABLES).flatMap(([variable, option]) => {
      const value = raw[variable as keyof typeof CHUNKING_VARIABLES];
      return value === undefined ? [] : [[option, value]];
    }),
  );
  try {
    return resolveChunkingLimits(options);
  } catch (error) {
    if (!(error instanceof ChunkingOptionsError)) throw error;
    const variableOf = (path: string) =>
      Object.entries(CHUNKING_VARIABLES).find(([, option]) => path.startsWith(option))?.[0] ?? 'chunking';
    for (const problem of error.problems) {
      problems.push({ variable: variableOf(problem.path), message: problem.message });
    }
    return undefined;
  }
}
