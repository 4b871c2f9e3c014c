import { hasScope } from '@interco/auth';
import { StoreError } from '@interco/bus';
import { ApiError, ErrorBody, notFound, principalOf } from '@interco/http';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { decodeOffsetCursor, encodeOffsetCursor } from '../queries/cursor.js';
import { CursorText, limitText, ONE_TO_1000, readLimit } from '../queries/list-query.schema.js';
import { serialMatches, serialSlice } from '../queries/serial-page.js';
import type { TrackerRouteDeps } from './deps.js';
import { badCursor } from './query-errors.js';
import { TransferSerialsPage } from './schemas.js';
import { TransferParams } from './transfer-routes.js';

/** The codes of this route's own errors. */
type SerialsErrorCode = 'manifest_unreadable';

const SERIALS_DEFAULT_LIMIT = 100;
const SERIALS_MAX_LIMIT = 1000;

const SerialsQuery = Type.Object(
  {
    limit: Type.Optional(limitText(ONE_TO_1000, SERIALS_MAX_LIMIT, SERIALS_DEFAULT_LIMIT)),
    cursor: Type.Optional(CursorText),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 140,
        description:
          'only the serials containing this text (case-insensitive); the cursor and total are then over the matches',
      }),
    ),
  },
  { additionalProperties: false },
);
type SerialsQuery = Static<typeof SerialsQuery>;

/**
 * GET /v1/transfers/{id}/serials: the serials of its manifest (sealed in the Object Store),
 * paged; with `q`, only those containing it (case-insensitive; like every query value, never
 * logged: the chassis logs query names only). Serial numbers may be PINs: the route's scope is `serials:read`, and the caller must
 * hold `transfers:read` too (checked here: a route declares one scope).
 */
export function registerSerialRoutes(app: FastifyInstance, deps: TrackerRouteDeps): void {
  app.get<{ Params: Static<typeof TransferParams>; Querystring: SerialsQuery }>(
    '/v1/transfers/:id/serials',
    {
      config: { auth: { scope: 'serials:read' } },
      schema: {
        operationId: 'getTransferSerials',
        summary:
          'Its serials (from the manifest), paged; `q` keeps those containing the text (case-insensitive); needs serials:read and transfers:read',
        tags: ['transfers'],
        params: TransferParams,
        querystring: SerialsQuery,
        response: {
          200: TransferSerialsPage,
          400: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      if (!hasScope(principalOf(request).scopes, 'transfers:read')) {
        throw new ApiError(403, 'forbidden', 'this token lacks the transfers:read scope');
      }
      const { id } = request.params;
      const offset = request.query.cursor === undefined ? 0 : decodeOffsetCursor(request.query.cursor);
      if (offset === undefined) throw badCursor();
      const limit =
        readLimit(request.query.limit, SERIALS_MAX_LIMIT, SERIALS_DEFAULT_LIMIT) ?? SERIALS_DEFAULT_LIMIT;
      const manifestRef = await deps.reader.manifestOf(id);
      if (manifestRef === undefined) throw notFound(`there is no transfer ${id}`);
      let manifest: Awaited<ReturnType<TrackerRouteDeps['manifests']['get']>>;
      try {
        manifest = await deps.manifests.get(manifestRef.ref, manifestRef.digest, id);
      } catch (error) {
        if (error instanceof StoreError && error.kind === 'missing') {
          throw notFound(`the manifest of ${id} is no longer stored`);
        }
        if (error instanceof StoreError && (error.kind === 'tampered' || error.kind === 'invalid')) {
          // The store's message is not logged: it may quote the manifest (its serials).
          request.log.error(
            { transfer_id: id, kind: error.kind },
            'serials: the stored manifest of a transfer cannot be read',
          );
          throw manifestUnreadable(id, error.kind);
        }
        throw error;
      }
      const { q } = request.query;
      const slice =
        q === undefined ? serialSlice(manifest, offset, limit) : serialMatches(manifest, q, offset, limit);
      return {
        transfer_id: id,
        total: slice.total,
        serials: slice.serials,
        next_cursor: slice.nextOffset === undefined ? null : encodeOffsetCursor(slice.nextOffset),
      };
    },
  );
}

/**
 * 503 `manifest_unreadable`: the stored manifest of a transfer does not open as the one sealed for
 * it (altered, corrupt, or not a transfer request). It names the transfer, never a serial; asking
 * again will not help until an operator restores the manifest.
 */
export function manifestUnreadable(id: string, kind: 'tampered' | 'invalid'): ApiError<SerialsErrorCode> {
  const why =
    kind === 'tampered'
      ? 'it does not match what was sealed for this transfer (altered or corrupt)'
      : 'it is not a valid transfer request';
  return new ApiError<SerialsErrorCode>(
    503,
    'manifest_unreadable',
    `the serials of ${id} cannot be shown: its stored manifest cannot be read (${why}); an operator must restore it`,
  );
}
