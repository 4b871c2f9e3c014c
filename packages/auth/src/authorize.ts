import { type Static, Type } from '@sinclair/typebox';
import { hasScope, type Scope } from './scopes.js';
import type { Principal, VerifyResult } from './verify-token.js';

/** The JSON body of a refused request: what went wrong, never a token or why it was refused. */
export const AuthErrorBody = Type.Object(
  {
    error: Type.Union([Type.Literal('unauthorized'), Type.Literal('forbidden')]),
    message: Type.String(),
  },
  { additionalProperties: false, $id: 'AuthErrorBody' },
);
export type AuthErrorBody = Static<typeof AuthErrorBody>;

/** The realm named in `WWW-Authenticate`. */
export const AUTH_REALM = 'interco';

export type Authorization =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly body: AuthErrorBody;
      /** Headers to send with the answer (RFC 6750: `WWW-Authenticate: Bearer ...`). */
      readonly headers: { readonly 'www-authenticate': string };
    };

export const UNAUTHORIZED_MESSAGE =
  'a valid API token is required: send it as "Authorization: Bearer <token>"';

/**
 * What to answer a request that needs `needed`: ok with the principal, 401 when the token did
 * not verify (one answer for every reason: log `result.reason` yourself), 403 when it verified
 * but lacks the scope (`admin` holds every scope, see hasScope).
 */
export function authorize(result: VerifyResult, needed: Scope): Authorization {
  if (!result.ok) {
    return {
      ok: false,
      status: 401,
      body: { error: 'unauthorized', message: UNAUTHORIZED_MESSAGE },
      headers: { 'www-authenticate': `Bearer realm="${AUTH_REALM}"` },
    };
  }
  if (!hasScope(result.principal.scopes, needed)) {
    return {
      ok: false,
      status: 403,
      body: { error: 'forbidden', message: `this token lacks the ${needed} scope` },
      headers: {
        'www-authenticate': `Bearer realm="${AUTH_REALM}", error="insufficient_scope", scope="${needed}"`,
      },
    };
  }
  return { ok: true, principal: result.principal };
}
