/**
 * Where the store reports what it cannot throw (a cache watch that ended, a stored record that is
 * not valid): pino's shape (`logger.warn(obj, msg)`), so a pino logger fits as is. It is given
 * token ids, revisions and error texts, never a token, a secret or a hash.
 */
export interface AuthLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: AuthLogger = { warn: () => {}, error: () => {} };
