import pino from 'pino';
import { REDACT_PATHS, REDACTED } from './redaction.js';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** pino level name (default `info`). */
  level?: string;
  /** Where lines go (default stdout): tests pass a stream and read what was written. */
  destination?: pino.DestinationStream;
  /** Paths redacted in addition to REDACT_PATHS. */
  redact?: readonly string[];
}

/**
 * The logger of a service: one JSON line per entry with `service`, the level's name, an ISO 8601
 * `time`, and credentials and serials replaced by `[redacted]` (REDACT_PATHS). Errors go under
 * `err` (pino's serializer keeps type, message and stack).
 */
export function createLogger(service: string, options: LoggerOptions = {}): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACT_PATHS, ...(options.redact ?? [])], censor: REDACTED },
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
