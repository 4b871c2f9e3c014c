import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from '@interco/service';
import { DEFAULT_DATA_DIR } from './layout.js';
import { DEFAULT_PORT_BASE, MAX_PORT_BASE } from './ports.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The variables that stand in for the flags (a flag wins). */
export const PORT_BASE_ENV = 'INTERCO_DEV_PORT_BASE';
export const DATA_DIR_ENV = 'INTERCO_DEV_DIR';

export interface StackArgs {
  /** The data folder, as given (resolved against the current directory by `stackLayout`). */
  dir: string;
  portBase: number;
  /** The services' LOG_LEVEL. */
  logLevel: LogLevel;
}

export interface DevArgs extends StackArgs {
  command: 'dev';
  reset: boolean;
}

export interface DemoArgs extends StackArgs {
  command: 'demo';
}

export type ParsedArgs<T> = { ok: true; value: T } | { ok: false; help: true } | { ok: false; error: string };

export const DEV_USAGE = `usage: pnpm dev [--reset] [--port-base N] [--dir D] [--log-level L]

Starts NATS, the MongoDB-wire server, the ERPNext simulator's demo sites and the six services,
with their data under D (default ${DEFAULT_DATA_DIR}), and supervises them until Ctrl-C / SIGTERM.

  --reset         delete the data folder first (a fresh stack: new key, token, sites)
  --port-base N   services on N..N+5, NATS N+10 (monitoring N+11), Mongo N+12, sites N+20, N+21
                  (default ${DEFAULT_PORT_BASE}; env ${PORT_BASE_ENV})
  --dir D         the data folder (default ${DEFAULT_DATA_DIR}; env ${DATA_DIR_ENV})
  --log-level L   the services' LOG_LEVEL: ${LOG_LEVELS.join(', ')} (default info)

NATS_URL / MONGODB_URL, when set, name servers to use instead of starting them.`;

export const DEMO_USAGE = `usage: pnpm demo [--dir D] [--port-base N] [--log-level L]

Runs three sample transfers through the CLI against the stack running in D (default
${DEFAULT_DATA_DIR}; found through D/stack.json), or against one it starts for the run (on the
port base N) and stops at the end, keeping its data.`;

const OPTIONS = {
  reset: { type: 'boolean' },
  'port-base': { type: 'string' },
  dir: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parsePortBase(text: string, source: string): number | string {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(value) || value < 1024 || value > MAX_PORT_BASE) {
    return `${source} must be a port from 1024 to ${MAX_PORT_BASE}, not ${JSON.stringify(text)}`;
  }
  return value;
}

function parseCommon(
  argv: readonly string[],
  env: Environment,
  allowReset: boolean,
): ParsedArgs<StackArgs & { reset: boolean }> {
  let values: { [K in keyof typeof OPTIONS]?: K extends 'reset' | 'help' ? boolean : string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  if (values.help === true) return { ok: false, help: true };
  if (values.reset === true && !allowReset) return { ok: false, error: "Unknown option '--reset'" };
  const portText = values['port-base'] ?? env[PORT_BASE_ENV];
  const portBase =
    portText === undefined || portText === ''
      ? DEFAULT_PORT_BASE
      : parsePortBase(portText, values['port-base'] === undefined ? PORT_BASE_ENV : '--port-base');
  if (typeof portBase === 'string') return { ok: false, error: portBase };
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    return {
      ok: false,
      error: `--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(logLevel)}`,
    };
  }
  const dir = values.dir ?? (env[DATA_DIR_ENV] || DEFAULT_DATA_DIR);
  if (dir.trim() === '') return { ok: false, error: '--dir must not be empty' };
  return { ok: true, value: { dir, portBase, logLevel: logLevel as LogLevel, reset: values.reset === true } };
}

/** `pnpm dev`'s arguments (the environment fills in what the flags leave out). */
export function parseDevArgs(argv: readonly string[], env: Environment = {}): ParsedArgs<DevArgs> {
  const parsed = parseCommon(argv, env, true);
  return parsed.ok ? { ok: true, value: { command: 'dev', ...parsed.value } } : parsed;
}

/** `pnpm demo`'s arguments. */
export function parseDemoArgs(argv: readonly string[], env: Environment = {}): ParsedArgs<DemoArgs> {
  const parsed = parseCommon(argv, env, false);
  if (!parsed.ok) return parsed;
  const { reset: _reset, ...value } = parsed.value;
  return { ok: true, value: { command: 'demo', ...value } };
}
