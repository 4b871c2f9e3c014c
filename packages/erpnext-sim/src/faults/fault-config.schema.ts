import { type Static, Type } from '@sinclair/typebox';

/** Which requests a rule applies to; every given criterion must match. */
export const FaultMatch = Type.Object(
  {
    doctype: Type.Optional(
      Type.String({ description: 'e.g. "Purchase Receipt" (resource routes and client methods)' }),
    ),
    method: Type.Optional(Type.String({ description: 'a dotted method, e.g. "frappe.client.submit"' })),
    http_method: Type.Optional(Type.String({ description: 'GET, POST, PUT or DELETE' })),
    writes_only: Type.Optional(Type.Boolean({ description: 'only requests that write (not GET)' })),
  },
  { additionalProperties: false },
);

const Rate = Type.Number({ minimum: 0, maximum: 1 });

/** One fault rule. Rates are probabilities per matching request. */
export const FaultRule = Type.Object(
  {
    match: Type.Optional(FaultMatch),
    latency_ms: Type.Optional(Type.Integer({ minimum: 0, description: 'added to every matching request' })),
    per_serial_ms: Type.Optional(
      Type.Number({
        minimum: 0,
        description: 'added per serial number the request handles (serial-heavy submits)',
      }),
    ),
    error_rates: Type.Optional(
      Type.Object(
        {
          '500': Type.Optional(Rate),
          '502': Type.Optional(Rate),
          '503': Type.Optional(Rate),
          '504': Type.Optional(Rate),
          '429': Type.Optional(Rate),
          deadlock: Type.Optional(Rate),
          lock_timeout: Type.Optional(Rate),
        },
        { additionalProperties: false },
      ),
    ),
    retry_after_s: Type.Optional(Type.Integer({ minimum: 0, description: 'Retry-After of injected 429s' })),
    commit_then_drop: Type.Optional(
      Type.Union([Type.Boolean(), Rate], {
        description: 'the write commits, then the connection is dropped before the answer',
      }),
    ),
    slow_commit_ms: Type.Optional(
      Type.Integer({ minimum: 0, description: 'the write commits only after this delay (then answers)' }),
    ),
    slow_commit_rate: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          'the probability that a matching write is slowed by slow_commit_ms (default 1: every one)',
      }),
    ),
    times: Type.Optional(
      Type.Integer({ minimum: 1, description: 'apply to the next N matching requests only' }),
    ),
  },
  { additionalProperties: false },
);
export type FaultRule = Static<typeof FaultRule>;

/** A site's faults: worker pool, worker timeout and rules (first matching rule of each kind wins). */
export const FaultConfig = Type.Object(
  {
    workers: Type.Optional(
      Type.Integer({ minimum: 0, description: 'gunicorn workers: requests beyond K queue (0 = unlimited)' }),
    ),
    worker_timeout_ms: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'a request running longer is killed and rolled back (default 120 s)',
      }),
    ),
    lock_wait_timeout_ms: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'how long a write waits for a row another request holds (innodb_lock_wait_timeout, default 50 s)',
      }),
    ),
    rules: Type.Optional(Type.Array(FaultRule)),
  },
  { additionalProperties: false },
);
export type FaultConfig = Static<typeof FaultConfig>;
