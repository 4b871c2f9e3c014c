import type { TokenStore } from '@interco/auth';
import type { MetricsSource } from '@interco/metrics';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { registerAuthentication } from './authenticate.js';
import { answerFrameworkError, type ErrorHandlingOptions, registerErrorHandling } from './error-handler.js';
import { type HealthOptions, registerHealthRoutes } from './health.js';
import { registerJsonBodyParser } from './json-body.js';
import { registerMetricsRoute } from './metrics-route.js';
import { type OpenApiOptions, registerOpenApi, registerOpenApiRoute } from './openapi.js';
import { withRequestSerializer } from './request-log.js';
import './route-config.js';
import { validatorCompiler } from './validation.js';

/** The body limit of a route that says none (1 MiB). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** What an API is built from: see createApiApp. */
export interface ApiAppOptions extends ErrorHandlingOptions {
  /** The service's logger (a pino logger fits), fastify's `loggerInstance`. */
  readonly logger: FastifyBaseLogger;
  /** Verifies the token of every request to a route that is not public. */
  readonly tokens: Pick<TokenStore, 'verify'>;
  /** The body limit of routes that say none, in bytes (DEFAULT_BODY_LIMIT: 1 MiB). */
  readonly bodyLimit?: number;
  /** The OpenAPI document's title, description and version (served at GET /openapi.json). */
  readonly openapi: OpenApiOptions;
  /** /healthz and /readyz (registered first, public) when given. */
  readonly health?: HealthOptions;
  /** GET /metrics (public, not in the OpenAPI document, not in the request log) when given. */
  readonly metrics?: MetricsSource;
  /** Fastify's `frameworkErrors` (errors met before routing): answerFrameworkError by default. */
  readonly frameworkErrors?: FastifyServerOptions['frameworkErrors'];
}

/**
 * A fastify app on Interco's HTTP chassis, not listening yet, before the service's own routes:
 * TypeBox schemas checked by TypeBox (every problem with its path), answers written as the
 * handlers make them, JSON bodies only (415 otherwise, 400 `malformed_json` saying where), one
 * error shape for every failure (ApiError), a token check on every route (each route must declare
 * `config.auth`, or it is refused when added), the OpenAPI document generated from the routes'
 * schemas at GET /openapi.json, /healthz and /readyz when `options.health` is given, and the
 * Prometheus exposition at GET /metrics when `options.metrics` is given. Log
 * lines of a request carry its method, path and query parameter names, never a query string value.
 */
export async function createApiApp(options: ApiAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Request log lines name the path and the query parameters, never a query string value.
    loggerInstance: withRequestSerializer(options.logger),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    frameworkErrors: options.frameworkErrors ?? answerFrameworkError,
  });
  // The routes' schemas are TypeBox, checked by TypeBox; answers are written as the handlers make
  // them (the response schemas document them in OpenAPI).
  app.setValidatorCompiler(validatorCompiler());
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerJsonBodyParser(app);
  registerErrorHandling(app, options);
  registerAuthentication(app, options.tokens);
  await registerOpenApi(app, options.openapi);

  if (options.health !== undefined) registerHealthRoutes(app, options.health);
  if (options.metrics !== undefined) registerMetricsRoute(app, options.metrics);
  registerOpenApiRoute(app);
  return app;
}
