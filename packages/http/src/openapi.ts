import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

/** What the OpenAPI document says of the API. */
export interface OpenApiOptions {
  readonly title: string;
  readonly description: string;
  /** The API's version (not the package's). */
  readonly version: string;
  /**
   * Declare the `token` security scheme (`Authorization: Token <key>`), for an API with routes
   * whose `config.auth.tokenScheme` is set; `bearer` is always declared (and the default).
   */
  readonly tokenScheme?: boolean;
  /** Operations whose body may be left out (OpenAPI marks every declared body required). */
  readonly optionalBodies?: readonly OptionalBody[];
}

/** An operation as the document names it: its OpenAPI path and lowercase method. */
export interface OptionalBody {
  /** e.g. `/v1/transfers/{id}/retry`. */
  readonly path: string;
  /** e.g. `post`. */
  readonly method: string;
}

type Paths = Record<string, Record<string, { requestBody?: { required?: boolean } }>>;

/**
 * Registers @fastify/swagger: the OpenAPI 3.1 document is generated from the routes' TypeBox
 * schemas (of the routes registered after this). Bearer tokens everywhere unless a route says
 * otherwise (`security: []` on public routes).
 */
export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version, description: options.description },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'an Interco API token: "Authorization: Bearer ick_..."',
          },
          ...(options.tokenScheme === true
            ? {
                token: {
                  type: 'apiKey' as const,
                  in: 'header' as const,
                  name: 'Authorization',
                  description:
                    'the original plan’s scheme, on the routes that take it only: "Authorization: Token ick_..."',
                },
              }
            : {}),
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
      const paths = (document as { paths?: Paths }).paths;
      for (const { path, method } of options.optionalBodies ?? []) {
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
