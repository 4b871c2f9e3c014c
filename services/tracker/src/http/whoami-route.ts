import { Scopes } from '@interco/auth';
import { ErrorBody, principalOf } from '@interco/http';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** Who a token is: its name and scopes, never its id or hash (the console decides what to offer). */
export const WhoAmI = Type.Object(
  {
    name: Type.String({ description: 'the token’s name, as it was minted' }),
    scopes: Scopes,
  },
  { additionalProperties: false },
);
export type WhoAmI = Static<typeof WhoAmI>;

/** `GET /v1/auth/whoami`: any valid token (no scope needed) learns its own name and scopes. */
export function registerWhoAmIRoute(app: FastifyInstance): void {
  app.get(
    '/v1/auth/whoami',
    {
      config: { auth: { scope: null } },
      schema: {
        operationId: 'whoAmI',
        summary: 'The calling token’s name and scopes',
        description:
          'Any valid token, whatever its scopes. The token’s id and hash are never answered. Scopes are as granted: admin implies every other.',
        tags: ['auth'],
        response: { 200: WhoAmI, 401: ErrorBody },
      },
    },
    async (request): Promise<WhoAmI> => {
      const principal = principalOf(request);
      return { name: principal.name, scopes: [...principal.scopes] };
    },
  );
}
