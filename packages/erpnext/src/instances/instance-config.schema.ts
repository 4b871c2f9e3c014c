import { InstanceId } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';

/** gunicorn's worker timeout on a default Frappe bench. */
export const DEFAULT_WORKER_TIMEOUT_MS = 120_000;
/** Writes wait longer than the worker timeout: when the client gives up, the server has finished or rolled back. */
export const DEFAULT_WRITE_TIMEOUT_MS = 130_000;
export const DEFAULT_READ_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_IN_FLIGHT = 4;

/**
 * What Interco needs to reach one ERPNext site. `api_secret` is a secret: stored encrypted,
 * never logged, never returned by anything that lists or describes an instance.
 */
export const InstanceConfig = Type.Object(
  {
    id: InstanceId,
    name: Type.String({ minLength: 1, maxLength: 140 }),
    base_url: Type.String({ description: 'http(s)://host[:port][/path], no credentials' }),
    api_key: Type.String({ minLength: 1, maxLength: 140 }),
    api_secret: Type.String({ minLength: 1, maxLength: 140 }),
    worker_timeout_ms: Type.Optional(Type.Integer({ minimum: 1000, default: DEFAULT_WORKER_TIMEOUT_MS })),
    write_timeout_ms: Type.Optional(
      Type.Integer({
        minimum: 1000,
        description:
          'must be greater than worker_timeout_ms; default: worker timeout + 10 s (130 s for a default site)',
      }),
    ),
    read_timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: DEFAULT_READ_TIMEOUT_MS })),
    max_in_flight: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, default: DEFAULT_MAX_IN_FLIGHT })),
  },
  { additionalProperties: false, $id: 'InstanceConfig' },
);
export type InstanceConfig = Static<typeof InstanceConfig>;

/**
 * The rule the schema cannot state: the write timeout must be greater than the worker timeout
 * (given, or the default), so that when the client gives up on a write the site has finished it
 * or rolled it back, and a lookup by marker tells the truth. Checks only numbers (the schema
 * reports other types); returns the problems with their paths, empty when the rule holds.
 */
export function timeoutProblems(config: unknown): Array<{ path: string; message: string }> {
  if (typeof config !== 'object' || config === null) return [];
  const { worker_timeout_ms: worker, write_timeout_ms: write } = config as Record<string, unknown>;
  if (typeof write !== 'number') return [];
  const workerMs = typeof worker === 'number' ? worker : DEFAULT_WORKER_TIMEOUT_MS;
  if (write > workerMs) return [];
  const which = typeof worker === 'number' ? 'worker_timeout_ms' : 'the default worker_timeout_ms';
  return [
    {
      path: 'write_timeout_ms',
      message: `must be greater than ${which} (${workerMs} ms), so that a write the client gives up on has finished or been rolled back on the site`,
    },
  ];
}

/** The timeouts and cap of an instance, defaults applied. */
export function instanceLimits(config: InstanceConfig): {
  workerTimeoutMs: number;
  writeTimeoutMs: number;
  readTimeoutMs: number;
  maxInFlight: number;
} {
  const workerTimeoutMs = config.worker_timeout_ms ?? DEFAULT_WORKER_TIMEOUT_MS;
  return {
    workerTimeoutMs,
    writeTimeoutMs: config.write_timeout_ms ?? Math.max(DEFAULT_WRITE_TIMEOUT_MS, workerTimeoutMs + 10_000),
    readTimeoutMs: config.read_timeout_ms ?? DEFAULT_READ_TIMEOUT_MS,
    maxInFlight: config.max_in_flight ?? DEFAULT_MAX_IN_FLIGHT,
  };
}
