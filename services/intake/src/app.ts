import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAuthentication } from './auth/authenticate.js';
import type { IntakeDeps } from './deps.js';
import { answerFrameworkError, registerErrorHandling } from './errors/error-handler.js';
import { registerJsonBodyParser } from './http/json-body.js';
import './http/route-config.js';
import { validatorCompiler } from './http/validation.js';
import { registerAdminInstanceRoutes } from './routes/admin-instances.js';
import { registerAdminTokenRoutes } from './routes/admin-tokens.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerOpenApi, registerOpenApiRoute } from './routes/openapi.js';
import { registerPlanRoute } from './routes/plan-route.js';
import { registerTransferRoutes } from './routes/transfers.js';

/** The body limit of routes that take no transfer request (admin bodies are small). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Intake's HTTP API as a fastify instance, not listening yet: every route with its TypeBox
 * schemas (the OpenAPI document is generated from them), one authentication hook (every route
 * says who may call it), one error shape. `deps` holds the stores and the stream.
 */
export async function buildIntakeApp(deps: IntakeDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    frameworkErrors: answerFrameworkError,
  });
  // The routes' schemas are TypeBox, checked by TypeBox; answers are written as the handlers make
  // them (the response schemas document them in OpenAPI).
  app.setValidatorCompiler(validatorCompiler());
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerJsonBodyParser(app);
  registerErrorHandling(app);
  registerAuthentication(app, deps.tokens);
  await registerOpenApi(app);

  registerHealthRoutes(app, deps);
  registerOpenApiRoute(app);
  registerTransferRoutes(app, deps);
  registerPlanRoute(app, deps);
  registerAdminInstanceRoutes(app, deps);
  registerAdminTokenRoutes(app, deps);
  return app;
}
