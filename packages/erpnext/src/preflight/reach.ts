import type { ErpnextClient } from '../client/erpnext-client.js';
import { ErpnextError } from '../errors/erpnext-error.js';
import type { ProblemList } from './checks.js';
import type { SiteReader } from './site-reader.js';

/**
 * Before reading anything: one `frappe.auth.get_logged_user` (the client's ping) tells whether the
 * instance answers and takes the credentials. Answers the API user, or undefined after adding one
 * `instance_unreachable` / `instance_auth` problem (then nothing else is asked of that instance).
 */
export async function reach(client: ErpnextClient, list: ProblemList): Promise<string | undefined> {
  let user: string;
  try {
    user = await client.ping();
  } catch (error) {
    if (error instanceof ErpnextError && error.kind === 'auth') {
      list.add(
        'instance_auth',
        `${capitalize(list.where)} refuses Interco's credentials: ${error.describe()}. Check the API key and secret stored for it (and that its API user is enabled).`,
      );
    } else {
      list.add(
        'instance_unreachable',
        `${capitalize(list.where)} cannot be used: ${describe(error)}. Check its base URL and that the site is up.`,
      );
    }
    return undefined;
  }
  if (user === 'Guest') {
    list.add(
      'instance_auth',
      `${capitalize(list.where)} runs Interco's requests as Guest (the credentials were not taken): check the API key and secret stored for it.`,
    );
    return undefined;
  }
  return user;
}

/**
 * One `read_failed` problem per failed read. Errors of Serial No reads are described without
 * ERPNext's own words, which could quote the query (and so serial numbers).
 */
export function reportReadFailures(list: ProblemList, reader: SiteReader): void {
  for (const { what, error } of reader.failures) {
    const words = what === 'Serial No' ? describeWithoutMessages(error) : describe(error);
    const hint =
      error instanceof ErpnextError && error.kind === 'auth'
        ? ' The API user may lack the permission to read it.'
        : '';
    list.add(
      'read_failed',
      `Could not read ${what} in ${list.where}, so the checks that need it were skipped: ${words}.${hint}`,
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof ErpnextError) return error.describe();
  return error instanceof Error ? error.message : String(error);
}

function describeWithoutMessages(error: unknown): string {
  if (!(error instanceof ErpnextError)) return 'an unexpected error';
  const head = [error.status === undefined ? undefined : String(error.status), error.excType]
    .filter((part) => part !== undefined)
    .join(' ');
  return `${error.instanceId}: ${error.operation} failed (${error.kind}, ${error.reason}${head === '' ? '' : `, ${head}`})`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
