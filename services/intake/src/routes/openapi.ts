import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/** The API's version in the OpenAPI document. */
export const API_VERSION = '1.0.0';

/** Routes whose body may be left out (OpenAPI marks every declared body required). */
const OPTIONAL_BODIES = [
  ['/v1/transfers/{id}/retry', 'post'],
  ['/v1/transfers/{id}/cancel', 'post'],
  ['/v1/admin/instances/{id}/prepare', 'post'],
] as const;

/**
 * Registers @fastify/swagger: the OpenAPI document is generated from the routes' TypeBox
 * schemas (routes registered after this). Bearer tokens everywhere; the plan's route also takes
 * `Authorization: Token <token>`; health and the document itself take none.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Interco intake',
        version: API_VERSION,
        description:
          'Every write of Interco: transfers (request, retry, cancel), ERPNext instances and API tokens. Every answer that is not a success has the shape {error, message, problems?}. A transfer’s status is served by the tracker.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'an Interco API token: "Authorization: Bearer ick_..."',
          },
          token: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: 'the original plan’s scheme, on its route only: "Authorization: Token ick_..."',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    // Shared schemas keep their TypeBox $id as their name (Scope, TokenSummary, InstanceSummary...).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transformObject: (documentObject) => {
      const document =
        'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
      const paths = (
        document as { paths?: Record<string, Record<string, { requestBody?: { required?: boolean } }>> }
      ).paths;
      for (const [path, method] of OPTIONAL_BODIES) {
        const body = paths?.[path]?.[method]?.requestBody;
        if (body !== undefined) body.required = false;
      }
      return document;
    },
  });
}

/** GET /openapi.json: the document (no auth). */
export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get(
    '/openapi.json',
    {
      config: { auth: 'public' },
      schema: {
        operationId: 'openapi',
        summary: 'This OpenAPI document',
        tags: ['health'],
        security: [],
      },
    },
    async () => app.swagger(),
  );
}
