import type { TokenStore } from '@interco/auth';
import { TransferId } from '@interco/contracts';
import { ApiError, authenticate, ErrorBody, unavailable } from '@interco/http';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { LiveFeed } from '../live/live-feed.js';
import { parseLastEventId, sseComment, sseMessage } from '../live/sse-format.js';
import type { TrackerRouteDeps } from './deps.js';
import { badHeader } from './query-errors.js';
import { LiveEventData } from './schemas.js';

/** Heartbeat comments keep proxies from closing an idle stream. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Most live streams one process serves at once (503 beyond). */
export const DEFAULT_MAX_LIVE_STREAMS = 100;
/** How long a client may stay blocked (not reading) before its stream is closed. */
export const DEFAULT_LIVE_DRAIN_TIMEOUT_MS = 30_000;
/**
 * How often an open stream's token is verified again: a token revoked (or expired, or stripped
 * of transfers:read) while its stream is open loses the stream within this time.
 */
export const DEFAULT_LIVE_TOKEN_RECHECK_MS = 60_000;
/**
 * The response header with the stream's last sequence when it opened (also in the first comment,
 * `: connected last_seq=<n>`): events with a greater `id` came after the stream opened.
 */
export const LAST_SEQ_HEADER = 'x-interco-last-seq';
/** The Retry-After of a 503 for too many live streams, in seconds. */
const FULL_RETRY_AFTER_SECONDS = 30;

const LiveQuery = Type.Object({ transfer_id: Type.Optional(TransferId) }, { additionalProperties: false });
type LiveQuery = Static<typeof LiveQuery>;

/**
 * GET /v1/live: server-sent events fed by an ordered consumer on the stream, one per client,
 * from new messages or after `Last-Event-ID` (a stream sequence; 400 when it is more than 1,000
 * events before the stream's end, for a stream of every transfer). The first comment is
 * `: connected last_seq=<n>` (also the header `x-interco-last-seq`): the stream's last sequence
 * when it opened, so a client tells the events published before (ids up to it) from new ones.
 * Each message is `id: <seq>`,
 * `event: <type>`, `data: {transfer_id, type, time, generation, seq, event_id}`; a comment every
 * 15 s. The consumer is closed when the client goes (also when it went while the feed was being
 * opened), a client that stops reading is waited for (the feed paused) and closed after
 * `liveDrainTimeoutMs`, at most `maxLiveStreams` streams are open at once (503 beyond), every
 * stream is ended when the app closes, and the token is verified again every
 * `liveTokenRecheckMs`: a stream whose token no longer verifies (revoked, expired, scope gone) is
 * ended, and the client's reconnect gets the 401/403.
 */
export function registerLiveRoute(
  app: FastifyInstance,
  deps: TrackerRouteDeps & { readonly tokens: Pick<TokenStore, 'verify'> },
): void {
  const maxStreams = deps.maxLiveStreams ?? DEFAULT_MAX_LIVE_STREAMS;
  const drainTimeoutMs = deps.liveDrainTimeoutMs ?? DEFAULT_LIVE_DRAIN_TIMEOUT_MS;
  const open = new Set<() => void>();
  /** Streams open or being opened (a slot is taken before the feed is opened). */
  let streams = 0;
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
              'text/event-stream: first the comment `: connected last_seq=<n>` (the stream’s last sequence when it opened, also the header x-interco-last-seq), then `id: <stream sequence>`, `event: <type>`, `data: <LiveEventData>`',
            content: { 'text/event-stream': { schema: LiveEventData } },
          },
          400: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const lastEventId = Array.isArray(header) ? header[0] : header;
      const afterSeq = parseLastEventId(lastEventId);
      if (lastEventId !== undefined && afterSeq === undefined) {
        throw badHeader('Last-Event-ID', 'must be a stream sequence: the id of an event this stream sent');
      }
      if (streams >= maxStreams) {
        throw unavailable(
          `this tracker already serves ${maxStreams.toLocaleString('en')} live streams, the most it serves at once: try again later`,
          FULL_RETRY_AFTER_SECONDS,
        );
      }
      streams += 1;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        streams -= 1;
      };
      let feed: LiveFeed;
      try {
        const opened = await deps.openLiveFeed({ transferId: request.query.transfer_id, afterSeq });
        if (opened.kind === 'resume_too_old') {
          throw badHeader(
            'Last-Event-ID',
            `the stream has moved on more than ${opened.maxCatchUp.toLocaleString('en')} events: read the transfers again and open the stream without Last-Event-ID`,
          );
        }
        feed = opened;
      } catch (error) {
        release();
        throw error;
      }

      reply.hijack();
      const raw = reply.raw;
      let heartbeat: NodeJS.Timeout | undefined;
      let recheck: NodeJS.Timeout | undefined;
      let ended = false;
      /** Ends the stream (destroys it when the client is blocked: ending would wait on it). */
      const end = (destroy = false) => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearInterval(recheck);
        open.delete(end);
        feed.stop();
        release();
        if (destroy) raw.destroy();
        else raw.end();
      };
      const onClose = () => end();
      open.add(end);
      request.raw.on('close', onClose);
      raw.on('close', onClose);
      // The client may have gone while the feed was being opened: 'close' has come already.
      if (request.raw.destroyed || raw.destroyed) {
        end(true);
        return;
      }

      /** Resolves once the client has read what is buffered; false (stream closed) if it did not in time. */
      let draining: Promise<boolean> | undefined;
      const drained = (): Promise<boolean> => {
        draining ??= new Promise<boolean>((resolve) => {
          const done = (ok: boolean) => {
            clearTimeout(timer);
            raw.off('drain', onDrain);
            raw.off('close', onGone);
            draining = undefined;
            resolve(ok);
          };
          const onDrain = () => done(true);
          const onGone = () => done(false);
          const timer = setTimeout(() => {
            request.log.warn(
              { blocked_ms: drainTimeoutMs },
              'live: the client stopped reading its stream; closing it',
            );
            done(false);
            end(true);
          }, drainTimeoutMs);
          raw.on('drain', onDrain);
          raw.on('close', onGone);
        });
        return draining;
      };
      /** Writes a chunk; when the client is not reading, waits for it (false: the stream is gone). */
      const send = async (chunk: string): Promise<boolean> => {
        if (ended) return false;
        if (raw.writableNeedDrain && !(await drained())) return false;
        if (ended) return false;
        return raw.write(chunk) || drained();
      };

      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        [LAST_SEQ_HEADER]: String(feed.lastSeq),
      });
      raw.write(sseComment(`connected last_seq=${feed.lastSeq}`));
      heartbeat = setInterval(() => {
        // A blocked client gets no heartbeat, but its clock runs (it is closed if it stays blocked).
        if (raw.writableNeedDrain) void drained();
        else if (!raw.write(sseComment('heartbeat'))) void drained();
      }, deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
      recheck = setInterval(() => {
        authenticate(deps.tokens, request, 'transfers:read', false).catch((error: unknown) => {
          if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
            request.log.info(
              { status: error.status },
              'live: the stream’s token no longer verifies; closing the stream',
            );
            end();
          } else {
            // The token store could not answer: the stream goes on, the next check tries again.
            request.log.warn({ err: error }, 'live: the stream’s token could not be verified again');
          }
        });
      }, deps.liveTokenRecheckMs ?? DEFAULT_LIVE_TOKEN_RECHECK_MS);
      try {
        for await (const event of feed.events) {
          if (ended) break;
          // The feed is not read while the client is blocked.
          if (!(await send(sseMessage({ id: event.seq, event: event.type, data: event })))) break;
        }
      } catch (error) {
        request.log.warn({ err: error }, 'live: the feed stopped');
      } finally {
        end();
      }
    },
  );
}
