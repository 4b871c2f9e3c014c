import {
  AUTH_REALM,
  authorize,
  type Principal,
  type Scope,
  type TokenStore,
  UNAUTHORIZED_MESSAGE,
  type VerifyResult,
} from '@interco/auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.js';
import type { RouteAuth } from './route-config.js';

/** The plan's scheme: `Authorization: Token <key>`. */
const TOKEN_SCHEME = /^token[ \t]+/i;

/**
 * The credential of a request: the Authorization header as it is (`Bearer <token>`, checked by
 * @interco/auth), or, where the route takes the plan's scheme, `Token <token>` turned into the
 * bare token.
 */
export function credentialOf(header: string | undefined, tokenScheme: boolean): string | undefined {
  if (header === undefined) return undefined;
  if (tokenScheme && TOKEN_SCHEME.test(header.trim())) return header.trim().replace(TOKEN_SCHEME, '');
  return header;
}

/**
 * Checks a request's token for `scope` (null: any valid token): the principal, or the 401/403
 * ApiError of @interco/auth.
 */
export async function authenticate(
  tokens: Pick<TokenStore, 'verify'>,
  request: FastifyRequest,
  scope: Scope | null,
  tokenScheme: boolean,
): Promise<Principal> {
  const result: VerifyResult = await tokens.verify(credentialOf(request.headers.authorization, tokenScheme));
  if (scope === null && result.ok) return result.principal;
  // Without a scope to check, only the 401 of a token that did not verify is left (any scope).
  const answer = authorize(result, scope ?? 'admin');
  if (answer.ok) return answer.principal;
  if (!result.ok) request.log.info({ reason: result.reason }, 'request refused: the token did not verify');
  else
    request.log.info(
      { actor: result.principal.tokenId, scope },
      'request refused: the token lacks the scope',
    );
  const headers = tokenScheme
    ? { 'www-authenticate': `${answer.headers['www-authenticate']}, Token realm="${AUTH_REALM}"` }
    : answer.headers;
  const message =
    answer.status === 401 && tokenScheme
      ? `${UNAUTHORIZED_MESSAGE} (or, on this route, "Authorization: Token <token>")`
      : answer.body.message;
  throw new ApiError(answer.status, answer.body.error, message, {}, headers);
}

/** One route as the app registered it, and who may call it. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly auth: RouteAuth;
}

const tables = new WeakMap<FastifyInstance, RouteEntry[]>();

/** Every route of an app built with registerAuthentication (HEAD routes included), in order. */
export function routeTable(app: FastifyInstance): readonly RouteEntry[] {
  return tables.get(app) ?? [];
}

/**
 * Every route declares `config.auth` (a route without it is refused when it is added, so none is
 * open by mistake); one onRequest hook checks the token before the body is even read, so an
 * unauthenticated caller gets 401 whatever it sends. The principal is `request.principal`.
 */
export function registerAuthentication(app: FastifyInstance, tokens: Pick<TokenStore, 'verify'>): void {
  app.decorateRequest('principal', null);
  const table: RouteEntry[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route) => {
    const auth = route.config?.auth;
    if (auth === undefined) {
      throw new Error(
        `route ${String(route.method)} ${route.url} does not say who may call it (config.auth)`,
      );
    }
    for (const method of [route.method].flat()) table.push({ method, url: route.url, auth });
  });
  app.addHook('onRequest', async (request) => {
    const auth: RouteAuth | undefined = request.routeOptions.config.auth;
    if (auth === undefined || auth === 'public') return;
    request.principal = await authenticate(tokens, request, auth.scope, auth.tokenScheme === true);
  });
}
