import { EXPOSITION_CONTENT_TYPE, type MetricsSource } from '@interco/metrics';
import type { FastifyInstance } from 'fastify';

/**
 * `GET /metrics` (and HEAD): the Prometheus text exposition of `source`, without authentication
 * like the probes (it carries bounded label values only: never a token, a serial or a request).
 * In the OpenAPI document with the probes; out of the request log below `warn` (a scrape every
 * few seconds would drown it).
 */
export function registerMetricsRoute(app: FastifyInstance, source: MetricsSource): void {
  app.get(
    '/metrics',
    {
      config: { auth: 'public' },
      logLevel: 'warn',
      schema: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        description:
          'The service’s metrics (docs/running.md, "Metrics catalogue") and its process’s. Label values are bounded: never a transfer id, a document name, a serial or a token.',
        tags: ['health'],
        security: [],
        response: {
          200: {
            description: 'the text exposition',
            content: { [EXPOSITION_CONTENT_TYPE]: { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      const exposition = await source.render();
      return reply.type(exposition.contentType).header('cache-control', 'no-store').send(exposition.body);
    },
  );
}
