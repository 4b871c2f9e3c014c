import type { ApiClient } from '../api/client.js';
import type { WhoAmI } from '../api/types.js';
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
}

export function endSession(): void {
  current = undefined;
  serial = undefined;
}
