// The OpenAPI fields of a route's schema (operationId, summary, tags, security...) are
// @fastify/swagger's augmentation of fastify's types: every API on the chassis declares them.
/// <reference types="@fastify/swagger" preserve="true" />
import type { Principal, Scope } from '@interco/auth';

/**
 * What a route needs of its caller: `public` (health, the OpenAPI document), or a scope, with
 * the plan's `Authorization: Token <key>` scheme accepted besides `Bearer` where `token` is set.
 * `scope: null`: any valid token, whatever its scopes (e.g. "who am I"); 401 without one, never 403.
 */
export type RouteAuth = 'public' | { readonly scope: Scope | null; readonly tokenScheme?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route says who may call it; a route without it is refused at registration. */
    auth?: RouteAuth;
    /** Said in a 413 answer: what to do when the body is too large. */
    bodyLimitReason?: string;
  }
  interface FastifyRequest {
    /** The caller, once its token verified (null on public routes). */
    principal: Principal | null;
  }
}
