import { DEMO_COMPANY_A, DEMO_COMPANY_B } from '@interco/erpnext-sim';
import type { SimSite } from './sim-process.js';

/** The demo sites as Interco instances: the instance id is the site's name. */
export const DEMO_INSTANCES: Readonly<Record<string, { name: string; prepareDoctypes?: string[] }>> = {
  'company-a': { name: DEMO_COMPANY_A },
  // Company B only gets Purchase Receipts (intake's README: prepare).
  'company-b': { name: DEMO_COMPANY_B, prepareDoctypes: ['Purchase Receipt'] },
};

/** The body of POST /v1/admin/instances for a site (PUT takes the same without `id`). */
export function instanceBody(site: SimSite): {
  id: string;
  name: string;
  base_url: string;
  api_key: string;
  api_secret: string;
} {
  const known = DEMO_INSTANCES[site.site];
  if (known === undefined)
    throw new Error(`the simulator printed an unknown site ${JSON.stringify(site.site)}`);
  return {
    id: site.site,
    name: known.name,
    base_url: site.url,
    api_key: site.api_key,
    api_secret: site.api_secret,
  };
}

export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';
}

async function call(
  intakeUrl: string,
  token: string,
  method: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  let response: Response;
  try {
    response = await fetch(`${intakeUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    throw new AdminApiError(`${method} ${path}: intake did not answer (${(error as Error).message})`);
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

function refusal(method: string, path: string, status: number, json: unknown): AdminApiError {
  const message =
    typeof json === 'object' && json !== null && 'message' in json
      ? String(json.message)
      : JSON.stringify(json);
  return new AdminApiError(`${method} ${path} answered ${status}: ${message}`);
}

/**
 * Registers a site as an instance through intake's admin API (POST; when it exists, PUT with the
 * site's current URL and credentials, which change after a simulator reset), then prepares it.
 * Answers the prepare summary lines.
 */
export async function registerInstance(intakeUrl: string, token: string, site: SimSite): Promise<string[]> {
  const body = instanceBody(site);
  const created = await call(intakeUrl, token, 'POST', '/v1/admin/instances', body);
  if (created.status === 409) {
    const { id, ...changes } = body;
    const path = `/v1/admin/instances/${encodeURIComponent(id)}`;
    const updated = await call(intakeUrl, token, 'PUT', path, changes);
    if (updated.status !== 200) throw refusal('PUT', path, updated.status, updated.json);
  } else if (created.status !== 201) {
    throw refusal('POST', '/v1/admin/instances', created.status, created.json);
  }
  const doctypes = DEMO_INSTANCES[site.site]?.prepareDoctypes;
  const path = `/v1/admin/instances/${encodeURIComponent(body.id)}/prepare`;
  const prepared = await call(intakeUrl, token, 'POST', path, doctypes === undefined ? {} : { doctypes });
  if (prepared.status !== 200) throw refusal('POST', path, prepared.status, prepared.json);
  const answer = prepared.json as { prepared?: boolean; summary?: string[] };
  if (answer.prepared !== true) {
    throw new AdminApiError(`${body.id} could not be prepared: ${(answer.summary ?? []).join('; ')}`);
  }
  return answer.summary ?? [];
}
