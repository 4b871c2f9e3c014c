export {
  ApiError,
  type CommonErrorCode,
  ErrorBody,
  invalidRequest,
  notFound,
  unavailable,
} from './api-error.js';
export { type ApiAppOptions, createApiApp, DEFAULT_BODY_LIMIT } from './app.js';
export {
  authenticate,
  credentialOf,
  type RouteEntry,
  registerAuthentication,
  routeTable,
} from './authenticate.js';
export {
  answerFrameworkError,
  type ErrorHandlingOptions,
  registerErrorHandling,
  toApiError,
} from './error-handler.js';
export { type HealthOptions, registerHealthRoutes } from './health.js';
export { JsonBodyError, registerJsonBodyParser } from './json-body.js';
export { findJsonSyntaxError, type JsonSyntaxError } from './json-syntax.js';
export { registerMetricsRoute } from './metrics-route.js';
export { type OpenApiOptions, type OptionalBody, registerOpenApi, registerOpenApiRoute } from './openapi.js';
export { principalOf } from './principal.js';
export {
  type LoggedRequest,
  pathOf,
  queryNamesOf,
  serializeRequest,
  withRequestSerializer,
} from './request-log.js';
export type { RouteAuth } from './route-config.js';
export {
  type PartValidator,
  RequestValidationError,
  typeboxValidator,
  validatorCompiler,
} from './validation.js';
