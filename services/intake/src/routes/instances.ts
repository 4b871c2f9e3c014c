import { InstanceId } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { IntakeDeps } from '../deps.js';
import { AUTH_ERRORS, errorResponses } from './schemas.js';

/** What a reader may know of an instance: where it is, to link its documents. No credential, no hint. */
export const InstanceLink = Type.Object(
  {
    id: InstanceId,
    name: Type.String(),
    base_url: Type.String({
      description: 'the ERPNext site; a document is at {base_url}/app/{doctype}/{name}',
    }),
  },
  { additionalProperties: false },
);
export type InstanceLink = Static<typeof InstanceLink>;

const InstanceLinks = Type.Object({ instances: Type.Array(InstanceLink) }, { additionalProperties: false });

/**
 * `GET /v1/instances` (transfers:read): every instance's id, name and base URL, so a reader (the
 * console) can link a transfer's ERPNext documents. Never a credential nor its hint (the admin
 * routes have those for admins).
 */
export function registerInstanceRoutes(app: FastifyInstance, deps: Pick<IntakeDeps, 'registry'>): void {
  app.get(
    '/v1/instances',
    {
      config: { auth: { scope: 'transfers:read' } },
      schema: {
        operationId: 'listInstanceLinks',
        summary: 'The ERPNext instances’ ids, names and base URLs (for links; no credential)',
        tags: ['instances'],
        response: { 200: InstanceLinks, ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async (): Promise<Static<typeof InstanceLinks>> => ({
      instances: (await deps.registry.list()).map(({ id, name, base_url }) => ({ id, name, base_url })),
    }),
  );
}
