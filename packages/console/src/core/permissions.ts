/**
 * What a token's scopes let the console offer (the APIs enforce the same; the page hides what
 * would be refused). `admin` holds every scope, as in @interco/auth. Pure.
 */
export interface Permissions {
  /** Transfers, their counts, events and the live stream. */
  readonly readTransfers: boolean;
  /** Retry and Cancel. */
  readonly writeTransfers: boolean;
  /** The serials of a transfer (otherwise masked, and never requested). */
  readonly readSerials: boolean;
  /** The instances page (list, add, edit, test, prepare, preflight). */
  readonly admin: boolean;
}

export function permissionsOf(scopes: readonly string[]): Permissions {
  const admin = scopes.includes('admin');
  const has = (scope: string) => admin || scopes.includes(scope);
  return {
    readTransfers: has('transfers:read'),
    writeTransfers: has('transfers:write'),
    // The serials route needs transfers:read too.
    readSerials: has('serials:read') && has('transfers:read'),
    admin,
  };
}
