import type { TokenStore } from '@interco/auth';
import { natsUnavailable } from '@interco/bus';
import { createApiApp } from '@interco/http';
import type { MetricsSource } from '@interco/metrics';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { type ConsoleRouteOptions, registerConsoleRoutes } from './console-routes.js';
import type { TrackerRouteDeps } from './deps.js';
import { registerLiveRoute } from './live-route.js';
import { registerSerialRoutes } from './serial-routes.js';
import { registerTransferRoutes } from './transfer-routes.js';
import { registerWhoAmIRoute } from './whoami-route.js';

/** The tracker API's version in the OpenAPI document. */
export const TRACKER_API_VERSION = '1.0.0';

export interface TrackerAppDeps extends TrackerRouteDeps {
  readonly logger: FastifyBaseLogger;
  readonly tokens: Pick<TokenStore, 'verify'>;
  /** Each condition of /readyz. */
  readonly readiness: () => Record<string, boolean>;
  /** Served at GET /metrics (public) when given. */
  readonly metrics?: MetricsSource;
  /** The operations console at /console/ (public static files) when given. */
  readonly console?: ConsoleRouteOptions;
}

/**
 * The tracker's HTTP API on the Interco chassis (not listening yet): read-only routes, each
 * needing `transfers:read` (the serials also `serials:read`), and `/v1/auth/whoami` (any valid
 * token); /healthz, /readyz, /metrics, /openapi.json and the console (`/console/`) are public.
 */
export async function buildTrackerApp(deps: TrackerAppDeps): Promise<FastifyInstance> {
  const app = await createApiApp({
    logger: deps.logger,
    tokens: deps.tokens,
    openapi: {
      title: 'Interco tracker',
      version: TRACKER_API_VERSION,
      description:
        'Read-only: every transfer’s state and history, built from the events (docs/tracker.md). Every answer that is not a success has the shape {error, message, problems?}.',
    },
    health: {
      readiness: deps.readiness,
      readinessSummary: 'Readiness: connected to NATS, MongoDB answers, not draining',
    },
    ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }),
    isUnavailable: dependencyUnavailable,
    unavailableMessage: 'the tracker cannot reach NATS or MongoDB just now: try again shortly',
  });
  registerTransferRoutes(app, deps);
  registerSerialRoutes(app, deps);
  registerLiveRoute(app, deps);
  registerWhoAmIRoute(app);
  if (deps.console !== undefined) registerConsoleRoutes(app, deps.console);
  return app;
}

/** NATS or MongoDB not answering: 503 with Retry-After rather than 500. */
export function dependencyUnavailable(error: unknown): boolean {
  return (
    natsUnavailable(error) || error instanceof MongoNetworkError || error instanceof MongoServerSelectionError
  );
}
