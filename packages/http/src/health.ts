import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const PUBLIC = { auth: 'public' } as const;

const Health = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
const Readiness = Type.Object(
  {
    ready: Type.Boolean(),
    checks: Type.Record(Type.String(), Type.Boolean(), { description: 'each condition of readiness' }),
  },
  { additionalProperties: false },
);

/** What /readyz answers from. */
export interface HealthOptions {
  /** Each condition of readiness by name (e.g. `{nats: true, not_draining: true}`): ready when all hold. */
  readonly readiness: () => Record<string, boolean>;
  /** The summary of /readyz in the OpenAPI document: what readiness means for this service. */
  readonly readinessSummary?: string;
}

/**
 * /healthz (the process answers: 200 `{status: "ok"}`) and /readyz (200 `{ready: true, checks}`
 * when every check of `options.readiness` holds, 503 `{ready: false, checks}` otherwise); no auth.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  app.get(
    '/healthz',
    {
      config: PUBLIC,
      schema: {
        operationId: 'health',
        summary: 'Liveness: the process answers',
        tags: ['health'],
        security: [],
        response: { 200: Health },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: PUBLIC,
      schema: {
        operationId: 'readiness',
        summary: options.readinessSummary ?? 'Readiness: every condition of readiness holds',
        tags: ['health'],
        security: [],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const checks = options.readiness();
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    },
  );
}
