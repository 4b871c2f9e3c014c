import { hasScope } from '@interco/auth';
import { TransferId } from '@interco/contracts';
import { ApiError, ErrorBody, notFound, principalOf } from '@interco/http';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { COUNTS_FIELDS, CountsUnavailableError } from '../queries/counts-cache.js';
import {
  DEFAULT_LIMIT,
  ListTransfersQuery,
  limitText,
  MAX_LIMIT,
  ONE_TO_1000,
  readLimit,
} from '../queries/list-query.schema.js';
import { InvalidCursorError } from '../queries/transfer-reader.js';
import type { TrackerRouteDeps } from './deps.js';
import { badCursor } from './query-errors.js';
import { TransferCounts, TransferEventsPage, TransferList, TransferView } from './schemas.js';

const READ = { auth: { scope: 'transfers:read' } } as const;
const TAGS = ['transfers'];

export const TransferParams = Type.Object({ id: TransferId }, { additionalProperties: false });
type TransferParams = Static<typeof TransferParams>;

const EVENTS_DEFAULT_LIMIT = 100;
const EVENTS_MAX_LIMIT = 1000;
const EventsQuery = Type.Object(
  {
    after_seq: Type.Optional(
      Type.String({
        pattern: '^(?:0|[1-9][0-9]{0,15})$',
        description: 'a stream sequence: the page starts after it',
      }),
    ),
    limit: Type.Optional(limitText(ONE_TO_1000, EVENTS_MAX_LIMIT, EVENTS_DEFAULT_LIMIT)),
  },
  { additionalProperties: false },
);
type EventsQuery = Static<typeof EventsQuery>;

/** `GET /v1/transfers/counts`: the list's filters that counts take (COUNTS_FIELDS) and the serial. */
export const CountTransfersQuery = Type.Pick(ListTransfersQuery, [...COUNTS_FIELDS, 'serial'], {
  $id: 'CountTransfersQuery',
  additionalProperties: false,
});
export type CountTransfersQuery = Static<typeof CountTransfersQuery>;

/** The codes of this module's own errors. */
type TransferErrorCode = 'counts_unavailable';

/**
 * 503 `counts_unavailable`: this filter has no earlier counts to answer, and counting took longer
 * than the time-out (`timed_out`), or failed a moment ago (`failed`: not counted again for
 * TRACKER_COUNTS_MAX_AGE_MS), or as many counts as it may start were running (`busy`).
 */
export function countsUnavailable(error: CountsUnavailableError): ApiError<TransferErrorCode> {
  if (error.kind === 'busy') {
    return new ApiError<TransferErrorCode>(
      503,
      'counts_unavailable',
      `${error.maxRunning} counts of the transfers are running already: try again in a few seconds`,
    );
  }
  if (error.kind === 'failed') {
    return new ApiError<TransferErrorCode>(
      503,
      'counts_unavailable',
      'counting the transfers failed a moment ago: try again in a few seconds',
    );
  }
  const seconds = Number((error.timeoutMs / 1000).toFixed(3));
  return new ApiError<TransferErrorCode>(
    503,
    'counts_unavailable',
    `counting the transfers took longer than ${seconds} s: narrow the filter (for example a date range) or try again`,
  );
}

/** A serial may be a PIN: finding which transfer moved it (or counting them) is reading serials. */
function needSerialsRead(request: FastifyRequest, serial: string | undefined, what: string): void {
  if (serial !== undefined && !hasScope(principalOf(request).scopes, 'serials:read')) {
    throw new ApiError(403, 'forbidden', `${what} needs a token with the serials:read scope`);
  }
}

function unknownTransfer(id: string) {
  return notFound(`there is no transfer ${id}`);
}

/** GET /v1/transfers, /v1/transfers/counts, /v1/transfers/{id}, /v1/transfers/{id}/events. */
export function registerTransferRoutes(app: FastifyInstance, deps: TrackerRouteDeps): void {
  app.get<{ Querystring: ListTransfersQuery }>(
    '/v1/transfers',
    {
      config: READ,
      schema: {
        operationId: 'listTransfers',
        summary:
          'Transfers, newest first (created_at, then id), filtered; paged with cursor; the serial filter needs serials:read',
        tags: TAGS,
        querystring: ListTransfersQuery,
        response: { 200: TransferList, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => {
      const query = request.query;
      needSerialsRead(request, query.serial, 'the serial filter');
      const limit = readLimit(query.limit, MAX_LIMIT, DEFAULT_LIMIT) ?? DEFAULT_LIMIT;
      const serialDigest = query.serial === undefined ? undefined : deps.digester.digest(query.serial);
      try {
        return await deps.reader.list({ query, limit, serialDigest });
      } catch (error) {
        if (error instanceof InvalidCursorError) throw badCursor();
        throw error;
      }
    },
  );

  app.get<{ Querystring: CountTransfersQuery }>(
    '/v1/transfers/counts',
    {
      config: READ,
      schema: {
        operationId: 'countTransfers',
        summary:
          'How many transfers per status, and how many are stuck, with the list’s filters (not status, stuck, cursor, limit); cached for TRACKER_COUNTS_MAX_AGE_MS, `as_of` says when they were taken; the serial filter needs serials:read',
        tags: TAGS,
        querystring: CountTransfersQuery,
        response: { 200: TransferCounts, 400: ErrorBody, 403: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { serial, ...query } = request.query;
      needSerialsRead(request, serial, 'counting by serial');
      const serialDigest = serial === undefined ? undefined : deps.digester.digest(serial);
      try {
        return await deps.counts.counts({ query, serialDigest });
      } catch (error) {
        if (error instanceof CountsUnavailableError) throw countsUnavailable(error);
        throw error;
      }
    },
  );

  app.get<{ Params: TransferParams }>(
    '/v1/transfers/:id',
    {
      config: READ,
      schema: {
        operationId: 'getTransfer',
        summary: 'One transfer: state, steps with durations, last error, request summary, stuck flag',
        tags: TAGS,
        params: TransferParams,
        response: { 200: TransferView, 404: ErrorBody },
      },
    },
    async (request) => {
      const view = await deps.reader.get(request.params.id);
      if (view === undefined) throw unknownTransfer(request.params.id);
      return view;
    },
  );

  app.get<{ Params: TransferParams; Querystring: EventsQuery }>(
    '/v1/transfers/:id/events',
    {
      config: READ,
      schema: {
        operationId: 'getTransferEvents',
        summary: 'Its timeline: every event the tracker saw, in stream order, paged by sequence',
        tags: TAGS,
        params: TransferParams,
        querystring: EventsQuery,
        response: { 200: TransferEventsPage, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const afterSeq = Number(request.query.after_seq ?? '0');
      const limit =
        readLimit(request.query.limit, EVENTS_MAX_LIMIT, EVENTS_DEFAULT_LIMIT) ?? EVENTS_DEFAULT_LIMIT;
      const page = await deps.reader.events(request.params.id, afterSeq, limit);
      if (page === undefined) throw unknownTransfer(request.params.id);
      return page;
    },
  );
}
