import type { ApiClient, ApiResult } from '../api/client.js';
import type { InstanceLink, WhoAmI } from '../api/types.js';
import type { Permissions } from '../core/permissions.js';

/**
 * The signed-in session, in memory only (a module variable: never localStorage, sessionStorage
 * or a cookie): a reload asks for the token again.
 */
export interface Session {
  readonly client: ApiClient;
  readonly who: WhoAmI;
  readonly permissions: Permissions;
}

let current: Session | undefined;
/** The transfers list's serial filter: in memory only, never in the URL (see core/filters.ts). */
let serial: string | undefined;

/** intake's /v1/instances, asked once per session (see instanceLinks). */
let links: Promise<ApiResult<readonly InstanceLink[]>> | undefined;

/**
 * The registered instances (id, name, base URL) from intake's /v1/instances: asked once, then
 * kept for the session; a failure is not kept (the next page asks again), and the instances page
 * forgets them when it saves one (forgetInstanceLinks). No page's signal is passed: the answer
 * is shared, a page left checks its own signal after it.
 */
export function instanceLinks(client: ApiClient): Promise<ApiResult<readonly InstanceLink[]>> {
  if (links === undefined) {
    const asked = client
      .request<{ instances: InstanceLink[] }>('intake', '/v1/instances')
      .then((answer): ApiResult<readonly InstanceLink[]> => {
        if (!answer.ok && links === asked) links = undefined;
        return answer.ok ? { ok: true, value: answer.value.instances } : answer;
      });
    links = asked;
  }
  return links;
}

/** The instances changed (one saved): the next page asks intake again. */
export function forgetInstanceLinks(): void {
  links = undefined;
}

export function serialFilter(): string | undefined {
  return serial;
}

export function setSerialFilter(value: string | undefined): void {
  serial = value;
}

export function session(): Session | undefined {
  return current;
}

export function startSession(value: Session): void {
  current = value;
  links = undefined;
}

export function endSession(): void {
  current = undefined;
  serial = undefined;
  links = undefined;
}
