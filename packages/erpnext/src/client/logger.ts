/**
 * The logger the client reports to: pino's shape (`logger.warn(obj, msg)`), so a pino logger
 * fits as is. What the client logs: instance id, operation, status, kind, reason, attempt,
 * delays and breaker states. Never the API secret, never request bodies or queries (filters
 * may list serial numbers), never ERPNext's messages or traceback lines (they may quote serial
 * numbers: Frappe's SerialNoDuplicateError names the serial).
 */
export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
