import type pino from 'pino';
import { isConfigError } from '../config/config-error.js';
import { createLogger } from '../logging/logger.js';

export interface RunMainOptions {
  /** How to exit (default `process.exit`); tests pass a spy. */
  exit?: (code: number) => void;
  /** Where the failure is logged (default stdout). */
  destination?: pino.DestinationStream;
}

/**
 * Runs a service's main. When it fails: a ConfigError is logged (fatal) with its problems and no
 * stack, exit 2; any other error is logged fatal with its stack, exit 1. When it resolves, the
 * process lives on as long as its servers and connections do (onShutdown ends it).
 */
export function runMain(service: string, main: () => Promise<void>, options: RunMainOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      const logger = createLogger(
        service,
        options.destination === undefined ? {} : { destination: options.destination },
      );
      if (isConfigError(error)) {
        logger.fatal({ problems: error.problems }, 'configuration is not valid');
        exit(2);
        return;
      }
      logger.fatal({ err: error }, 'service failed');
      exit(1);
    });
}
