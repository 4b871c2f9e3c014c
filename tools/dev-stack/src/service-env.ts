import { BOOTSTRAP_HASH_ENV } from '@interco/auth';
import { SECRET_KEY_ENV } from '@interco/erpnext';
import type { LogLevel } from '@interco/service';
import type { Environment } from './args.js';
import type { ServiceName } from './ports.js';

/** What the services' environments are made of. */
export interface ServiceEnvContext {
  natsUrl: string;
  mongoUrl: string;
  secretKey: string;
  tokenHash: string;
  ports: Readonly<Record<ServiceName, number>>;
  logLevel: LogLevel;
}

/**
 * The variables taken over from the caller's environment; nothing else is, so a NATS_URL, PORT or
 * INTERCO_* of the shell cannot reach a service by mistake.
 */
export const INHERITED_VARIABLES = [
  'PATH',
  'HOME',
  'TMPDIR',
  'TZ',
  'LANG',
  'LC_ALL',
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
] as const;

/** The INHERITED_VARIABLES that `env` sets, and only those. */
export function inheritedEnv(env: Environment): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const variable of INHERITED_VARIABLES) {
    const value = env[variable];
    if (value !== undefined) inherited[variable] = value;
  }
  return inherited;
}

export const LOCAL_HOST = '127.0.0.1';

export function serviceUrl(port: number): string {
  return `http://${LOCAL_HOST}:${port}`;
}

/**
 * A service's environment, from its config schema: NATS, the secret key, its port on 127.0.0.1
 * and the log level for all; the bootstrap token's hash and the tracker's URL (for `status_url`)
 * for intake, with the tracker's origin as the one CORS origin (the console at
 * `<tracker>/console/` calls intake); MongoDB, the bootstrap hash and intake's URL (where the
 * console writes) for the tracker.
 */
export function serviceEnv(
  name: ServiceName,
  context: ServiceEnvContext,
  inherited: Environment = {},
): Record<string, string> {
  const env = inheritedEnv(inherited);
  Object.assign(env, {
    NATS_URL: context.natsUrl,
    HOST: LOCAL_HOST,
    PORT: String(context.ports[name]),
    LOG_LEVEL: context.logLevel,
    [SECRET_KEY_ENV]: context.secretKey,
  });
  if (name === 'intake') {
    env[BOOTSTRAP_HASH_ENV] = context.tokenHash;
    env.INTERCO_STATUS_BASE_URL = serviceUrl(context.ports.tracker);
    env.INTAKE_CORS_ORIGINS = serviceUrl(context.ports.tracker);
  }
  if (name === 'tracker') {
    env[BOOTSTRAP_HASH_ENV] = context.tokenHash;
    env.MONGODB_URL = context.mongoUrl;
    env.TRACKER_CONSOLE_INTAKE_URL = serviceUrl(context.ports.intake);
  }
  return env;
}

/** The command that runs a service, relative to the repository root. */
export function serviceCommand(name: ServiceName): { command: string; args: string[] } {
  return { command: process.execPath, args: [`services/${name}/dist/main.js`] };
}
