import { ApiClient, CliFailure, schemas } from '@interco/cli';
import { DEMO_COMPANY_A, DEMO_COMPANY_B } from '@interco/erpnext-sim';
import type { Static, TSchema } from '@sinclair/typebox';
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

/** Calls intake's admin API; a failure says which call, with the status when intake answered one. */
async function admin<T extends TSchema>(
  api: ApiClient,
  method: 'POST' | 'PUT',
  path: string,
  schema: T,
  body: unknown,
): Promise<Static<T>> {
  try {
    return (await api.call('intake', method, path, schema, { body })).body;
  } catch (error) {
    if (!(error instanceof CliFailure)) throw error;
    const status = error.details.status;
    throw new CliFailure(
      error.kind,
      `${method} ${path} ${status === undefined ? 'failed' : `answered ${status}`}: ${error.message}`,
      error.details,
    );
  }
}

/**
 * Registers a site as an instance through intake's admin API (POST; when it exists, PUT with the
 * site's current URL and credentials, which change after a simulator reset), then prepares it.
 * Answers the prepare summary lines. A refusal, or an answer that does not fit the CLI's schema
 * of it, throws a CliFailure naming the call.
 */
export async function registerInstance(intakeUrl: string, token: string, site: SimSite): Promise<string[]> {
  const api = new ApiClient({ urls: { intake: intakeUrl, tracker: intakeUrl }, token: async () => token });
  const body = instanceBody(site);
  try {
    await admin(api, 'POST', '/v1/admin/instances', schemas.InstanceSummary, body);
  } catch (error) {
    if (!(error instanceof CliFailure && error.details.status === 409)) throw error;
    const { id, ...changes } = body;
    await admin(
      api,
      'PUT',
      `/v1/admin/instances/${encodeURIComponent(id)}`,
      schemas.InstanceSummary,
      changes,
    );
  }
  const doctypes = DEMO_INSTANCES[site.site]?.prepareDoctypes;
  const path = `/v1/admin/instances/${encodeURIComponent(body.id)}/prepare`;
  const prepared = await admin(
    api,
    'POST',
    path,
    schemas.PrepareResult,
    doctypes === undefined ? {} : { doctypes },
  );
  if (!prepared.prepared) throw new Error(`${body.id} could not be prepared: ${prepared.summary.join('; ')}`);
  return prepared.summary;
}
