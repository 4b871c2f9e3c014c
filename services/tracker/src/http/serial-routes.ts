import { hasScope } from '@interco/auth';
import { StoreError } from '@interco/bus';
import { ApiError, ErrorBody, notFound, principalOf } from '@interco/http';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { decodeOffsetCursor, encodeOffsetCursor } from '../queries/cursor.js';
import { CursorText, limitText, ONE_TO_1000, readLimit } from '../queries/list-query.schema.js';
import { serialSlice } from '../queries/serial-page.js';
import type { TrackerRouteDeps } from './deps.js';
import { badCursor } from './query-errors.js';
import { TransferSerialsPage } from './schemas.js';
import { TransferParams } from './transfer-routes.js';

const SERIALS_DEFAULT_LIMIT = 100;
const SERIALS_MAX_LIMIT = 1000;

const SerialsQuery = Type.Object(
  {
    limit: Type.Optional(limitText(ONE_TO_1000, SERIALS_MAX_LIMIT, SERIALS_DEFAULT_LIMIT)),
    cursor: Type.Optional(CursorText),
  },
  { additionalProperties: false },
);
type SerialsQuery = Static<typeof SerialsQuery>;

/**
 * GET /v1/transfers/{id}/serials: the serials of its manifest (sealed in the Object Store),
 * paged. Serial numbers may be PINs: the route's scope is `serials:read`, and the caller must
 * hold `transfers:read` too (checked here: a route declares one scope).
 */
export function registerSerialRoutes(app: FastifyInstance, deps: TrackerRouteDeps): void {
  app.get<{ Params: Static<typeof TransferParams>; Querystring: SerialsQuery }>(
    '/v1/transfers/:id/serials',
    {
      config: { auth: { scope: 'serials:read' } },
      schema: {
        operationId: 'getTransferSerials',
        summary: 'Its serials (from the manifest), paged; needs serials:read and transfers:read',
        tags: ['transfers'],
        params: TransferParams,
        querystring: SerialsQuery,
        response: { 200: TransferSerialsPage, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
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
        throw error;
      }
      const slice = serialSlice(manifest, offset, limit);
      return {
        transfer_id: id,
        total: slice.total,
        serials: slice.serials,
        next_cursor: slice.nextOffset === undefined ? null : encodeOffsetCursor(slice.nextOffset),
      };
    },
  );
}
