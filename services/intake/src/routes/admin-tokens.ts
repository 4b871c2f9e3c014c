import { Scopes, TokenId, TokenStoreError, TokenSummary } from '@interco/auth';
import { invalidRequest, notFound } from '@interco/http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IntakeDeps } from '../deps.js';
import { AUTH_ERRORS, errorResponses } from './schemas.js';

const ADMIN = { auth: { scope: 'admin' } } as const;
const TAGS = ['admin: tokens'];

const MintBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 140, description: 'who or what holds the token' }),
    scopes: Scopes,
    expires_at: Type.Optional(
      Type.String({ format: 'date-time', description: 'when the token stops working (in the future)' }),
    ),
  },
  { additionalProperties: false },
);

const Minted = Type.Object(
  {
    token: Type.String({ description: 'the token: shown this once, only its hash is kept' }),
    record: TokenSummary,
  },
  { additionalProperties: false },
);

const TokenList = Type.Object({ tokens: Type.Array(TokenSummary) }, { additionalProperties: false });
const TokenIdParams = Type.Object({ id: TokenId }, { additionalProperties: false });

/** Mint, list and revoke API tokens (admin). Only a hash is stored; the token is answered once. */
export function registerAdminTokenRoutes(app: FastifyInstance, deps: IntakeDeps): void {
  app.post(
    '/v1/admin/tokens',
    {
      config: ADMIN,
      schema: {
        operationId: 'mintToken',
        summary: 'Mint an API token',
        description: 'The answer holds the token: the only time it is shown (KV keeps its SHA-256 hash).',
        tags: TAGS,
        body: MintBody,
        response: { 201: Minted, ...errorResponses(400, ...AUTH_ERRORS, 413, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body as { name: string; scopes: Scopes; expires_at?: string };
      try {
        const minted = await deps.tokens.mint({
          name: body.name,
          scopes: body.scopes,
          ...(body.expires_at === undefined ? {} : { expiresAt: new Date(body.expires_at) }),
        });
        request.log.info({ token_id: minted.record.id, actor: request.principal?.tokenId }, 'token minted');
        return reply.code(201).send(minted);
      } catch (error) {
        if (error instanceof TokenStoreError) {
          throw invalidRequest(
            error.problems.map((problem) => ({
              ...problem,
              path: problem.path.replace(/^expiresAt/, 'expires_at'),
            })),
          );
        }
        throw error;
      }
    },
  );

  app.get(
    '/v1/admin/tokens',
    {
      config: ADMIN,
      schema: {
        operationId: 'listTokens',
        summary: 'List the live API tokens (never a token or its hash)',
        tags: TAGS,
        response: { 200: TokenList, ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async () => ({ tokens: await deps.tokens.list() }),
  );

  app.delete(
    '/v1/admin/tokens/:id',
    {
      config: ADMIN,
      schema: {
        operationId: 'revokeToken',
        summary: 'Revoke an API token (refused from now on, on every replica)',
        tags: TAGS,
        params: TokenIdParams,
        response: { 204: Type.Null({ description: 'revoked' }), ...errorResponses(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (request: FastifyRequest, reply) => {
      const id = (request.params as { id: string }).id;
      if (!(await deps.tokens.revoke(id))) throw notFound(`there is no live token ${id}`);
      request.log.info({ token_id: id, actor: request.principal?.tokenId }, 'token revoked');
      return reply.code(204).send();
    },
  );
}
