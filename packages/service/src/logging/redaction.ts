/**
 * Paths pino replaces with `[redacted]` before a line is written: credentials (ERPNext's api_key
 * and api_secret, Authorization headers, tokens, passwords) and serials (PINs), at the top of a log
 * object and one level down (`{ instance: { api_secret } }`), plus the usual request/response
 * header places. A path is fast-redact's syntax (pino's `redact.paths`).
 */
const SENSITIVE_KEYS = [
  'authorization',
  'api_key',
  'api_secret',
  'token',
  'secret',
  'password',
  'cookie',
  'serials',
] as const;

export const REDACT_PATHS: readonly string[] = [
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  'items[*].serials',
  '*.items[*].serials',
];

export const REDACTED = '[redacted]';
