import { TransferId } from '@interco/contracts';
import { ErrorBody } from '@interco/http';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseLastEventId, sseComment, sseMessage } from '../live/sse-format.js';
import type { TrackerRouteDeps } from './deps.js';
import { badQueryParameter } from './query-errors.js';
import { LiveEventData } from './schemas.js';

/** Heartbeat comments keep proxies from closing an idle stream. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

const LiveQuery = Type.Object({ transfer_id: Type.Optional(TransferId) }, { additionalProperties: false });
type LiveQuery = Static<typeof LiveQuery>;

/**
 * GET /v1/live: server-sent events fed by an ordered consumer on the stream, one per client,
 * from new messages or after `Last-Event-ID` (a stream sequence). Each message is `id: <seq>`,
 * `event: <type>`, `data: {transfer_id, type, time, generation, seq, event_id}`; a comment every
 * 15 s. The consumer is closed when the client goes, and every stream is ended when the app
 * closes.
 */
export function registerLiveRoute(app: FastifyInstance, deps: TrackerRouteDeps): void {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Querystring: LiveQuery }>(
    '/v1/live',
    {
      config: { auth: { scope: 'transfers:read' } },
      schema: {
        operationId: 'live',
        summary: 'Server-sent events of every transfer (or one: transfer_id); Last-Event-ID resumes',
        tags: ['live'],
        querystring: LiveQuery,
        response: {
          200: {
            description:
              'text/event-stream: `id: <stream sequence>`, `event: <type>`, `data: <LiveEventData>`',
            content: { 'text/event-stream': { schema: LiveEventData } },
          },
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const lastEventId = Array.isArray(header) ? header[0] : header;
      const afterSeq = parseLastEventId(lastEventId);
      if (lastEventId !== undefined && afterSeq === undefined) {
        throw badQueryParameter(
          'Last-Event-ID',
          'must be a stream sequence: the id of an event this stream sent',
        );
      }
      const feed = await deps.openLiveFeed({ transferId: request.query.transfer_id, afterSeq });

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write(sseComment('connected'));
      const heartbeat = setInterval(
        () => raw.write(sseComment('heartbeat')),
        deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      );
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        open.delete(end);
        feed.stop();
        raw.end();
      };
      open.add(end);
      request.raw.on('close', end);
      raw.on('close', end);
      try {
        for await (const event of feed.events) {
          if (ended) break;
          raw.write(sseMessage({ id: event.seq, event: event.type, data: event }));
        }
      } catch (error) {
        request.log.warn({ err: error }, 'live: the feed stopped');
      } finally {
        end();
      }
    },
  );
}
