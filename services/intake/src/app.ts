import { natsUnavailable } from '@interco/bus';
import { createApiApp, DEFAULT_BODY_LIMIT } from '@interco/http';
import type { FastifyInstance } from 'fastify';
import { registerCors } from './cors.js';
import type { IntakeDeps } from './deps.js';
import { registerAdminInstanceRoutes } from './routes/admin-instances.js';
import { registerAdminSecretKeyRoutes } from './routes/admin-secret-key.js';
import { registerAdminTokenRoutes } from './routes/admin-tokens.js';
import { registerInstanceRoutes } from './routes/instances.js';
import { registerPlanRoute } from './routes/plan-route.js';
import { registerTransferRoutes } from './routes/transfers.js';

/** The body limit of routes that take no transfer request (admin bodies are small). */
export { DEFAULT_BODY_LIMIT };

/** The API's version in the OpenAPI document. */
export const API_VERSION = '1.0.0';

/**
 * Intake's HTTP API as a fastify instance, not listening yet: the chassis of @interco/http
 * (TypeBox validation, one error shape, authentication on every route, OpenAPI, health) with
 * intake's routes. `deps` holds the stores and the stream.
 */
export async function buildIntakeApp(deps: IntakeDeps): Promise<FastifyInstance> {
  const app = await createApiApp({
    logger: deps.logger,
    tokens: deps.tokens,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Not "nothing was changed": the steps that cannot be undone answer their own 503 (a retry
    // or cancel recorded but not published, a transfer accepted but not confirmed), and the
    // others are undone or repeatable.
    isUnavailable: natsUnavailable,
    unavailableMessage: 'Interco cannot reach its message bus just now: try again shortly',
    openapi: {
      title: 'Interco intake',
      version: API_VERSION,
      description:
        'Every write of Interco: transfers (request, retry, cancel), ERPNext instances, API tokens and the secret key’s rotation. Every answer that is not a success has the shape {error, message, problems?}. A transfer’s status is served by the tracker.',
      tokenScheme: true,
      optionalBodies: [
        { path: '/v1/transfers/{id}/retry', method: 'post' },
        { path: '/v1/transfers/{id}/cancel', method: 'post' },
        { path: '/v1/admin/instances/{id}/prepare', method: 'post' },
      ],
    },
    health: {
      readiness: deps.readiness,
      readinessSummary: 'Readiness: connected to NATS, stores open, not draining',
    },
    ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }),
  });
  registerCors(app, deps.corsOrigins ?? []);
  registerTransferRoutes(app, deps);
  registerPlanRoute(app, deps);
  registerInstanceRoutes(app, deps);
  registerAdminInstanceRoutes(app, deps);
  registerAdminTokenRoutes(app, deps);
  registerAdminSecretKeyRoutes(app, deps);
  return app;
}
