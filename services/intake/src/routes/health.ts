import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { IntakeDeps } from '../deps.js';

const PUBLIC = { auth: 'public' } as const;

const Health = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });
const Readiness = Type.Object(
  {
    ready: Type.Boolean(),
    checks: Type.Record(Type.String(), Type.Boolean(), { description: 'each condition of readiness' }),
  },
  { additionalProperties: false },
);

/** /healthz (the process answers) and /readyz (NATS connected, stores open, not draining); no auth. */
export function registerHealthRoutes(app: FastifyInstance, deps: Pick<IntakeDeps, 'readiness'>): void {
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
        summary: 'Readiness: connected to NATS, stores open, not draining',
        tags: ['health'],
        security: [],
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const checks = deps.readiness();
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    },
  );
}
