/**
 * Where a transfer's status is read (served by the tracker): `<base>/v1/transfers/<id>` with
 * INTERCO_STATUS_BASE_URL as the base, or the path alone (relative to the API's origin) without.
 */
export function statusUrlFor(base: string | undefined): (transferId: string) => string {
  const prefix = base === undefined ? '' : base.replace(/\/+$/, '');
  return (transferId) => `${prefix}/v1/transfers/${encodeURIComponent(transferId)}`;
}
