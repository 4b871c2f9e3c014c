import { Type } from '@sinclair/typebox';

/**
 * Schema fragments every service spreads into its own config schema:
 * `Type.Object({ ...NatsConfig, ...httpConfig(8080), ...LogConfig, MY_VAR: Type.String() })`.
 */

export const NatsConfig = {
  NATS_URL: Type.String({
    minLength: 1,
    default: 'nats://127.0.0.1:4222',
    description: 'the NATS server(s): a URL, or several separated by commas',
  }),
  INTERCO_NAMESPACE: Type.String({
    pattern: '^[a-z][a-z0-9_]{0,30}$',
    default: 'interco',
    description: 'prefix of every subject, stream and bucket name (one per deployment)',
  }),
};

/** HOST and PORT of a service's HTTP server; PORT has no default here (see `httpConfig`). */
export const HttpConfig = {
  HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'address the HTTP server listens on' }),
  PORT: Type.Integer({
    minimum: 0,
    maximum: 65535,
    description: 'port of the HTTP server (0: any free port)',
  }),
};

/** HttpConfig with the service's own default port. */
export function httpConfig(defaultPort: number) {
  return {
    HOST: HttpConfig.HOST,
    PORT: Type.Integer({
      minimum: 0,
      maximum: 65535,
      default: defaultPort,
      description: 'port of the HTTP server (0: any free port)',
    }),
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LogConfig = {
  LOG_LEVEL: Type.Union(
    LOG_LEVELS.map((level) => Type.Literal(level)),
    { default: 'info', description: 'the lowest level logged' },
  ),
};
