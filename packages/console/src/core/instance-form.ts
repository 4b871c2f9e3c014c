/**
 * The instance form's fields → intake's body (POST to add, PUT to change). Pure. Credentials are
 * write-only: the form never holds a stored one, and on edit an empty credential field is left
 * out of the body (intake keeps the stored one).
 */

export interface InstanceFields {
  readonly id: string;
  readonly name: string;
  readonly base_url: string;
  readonly api_key: string;
  readonly api_secret: string;
  readonly worker_timeout_ms: string;
  readonly write_timeout_ms: string;
  readonly read_timeout_ms: string;
  readonly max_in_flight: string;
}

export interface FieldProblem {
  readonly path: string;
  /** A dictionary key (the page translates it). */
  readonly problem: 'required' | 'whole_number' | 'instance_id' | 'url' | 'new_url_credentials';
}

export type InstanceBody =
  | { readonly ok: true; readonly body: Record<string, string | number> }
  | { readonly ok: false; readonly problems: readonly FieldProblem[] };

const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const NUMBER_FIELDS = ['worker_timeout_ms', 'write_timeout_ms', 'read_timeout_ms', 'max_in_flight'] as const;

/**
 * `storedBaseUrl` (on edit): the instance's address now. A new address needs both credentials
 * typed again (intake refuses it otherwise: stored credentials are never sent to a new address).
 */
export function instanceBody(
  fields: InstanceFields,
  mode: 'add' | 'edit',
  storedBaseUrl?: string,
): InstanceBody {
  const problems: FieldProblem[] = [];
  const body: Record<string, string | number> = {};
  const id = fields.id.trim();
  if (mode === 'add') {
    if (id === '') problems.push({ path: 'id', problem: 'required' });
    else if (!INSTANCE_ID.test(id)) problems.push({ path: 'id', problem: 'instance_id' });
    else body.id = id;
  }
  for (const key of ['name', 'base_url'] as const) {
    const value = fields[key].trim();
    if (value === '') problems.push({ path: key, problem: 'required' });
    else body[key] = value;
  }
  if (body.base_url !== undefined && !/^https?:\/\/[^\s]+$/i.test(String(body.base_url))) {
    problems.push({ path: 'base_url', problem: 'url' });
  }
  for (const key of ['api_key', 'api_secret'] as const) {
    // Not trimmed: a credential is sent exactly as typed.
    const value = fields[key];
    if (value !== '') body[key] = value;
    else if (mode === 'add') problems.push({ path: key, problem: 'required' });
    else if (
      storedBaseUrl !== undefined &&
      body.base_url !== undefined &&
      sameBaseUrl(String(body.base_url), storedBaseUrl) === false
    )
      problems.push({ path: key, problem: 'new_url_credentials' });
  }
  for (const key of NUMBER_FIELDS) {
    const text = fields[key].trim();
    if (text === '') continue;
    if (!/^[0-9]{1,9}$/.test(text)) problems.push({ path: key, problem: 'whole_number' });
    else body[key] = Number(text);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, body };
}

/**
 * An address as intake stores it (packages/erpnext/src/registry/base-url.ts, normalizeBaseUrl):
 * the origin (URL lower-cases the host and drops a default port) and the path without trailing
 * slashes; `undefined` when it is not an http(s) URL intake would take.
 */
export function normalizedBaseUrl(input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Whether the typed address is the stored one, compared as intake compares them (both
 * normalized); an address that does not normalize counts as a new one.
 */
export function sameBaseUrl(typed: string, stored: string): boolean {
  const a = normalizedBaseUrl(typed);
  return a !== undefined && a === normalizedBaseUrl(stored);
}

export type PreflightBody =
  | { readonly ok: true; readonly body: Record<string, unknown> }
  | { readonly ok: false; readonly problem: 'instances' | 'json' | 'object'; readonly detail?: string };

/**
 * The preflight's body: the JSON request typed in the form with the two chosen instances as
 * `company_a_instance_id` and `company_b_instance_id` (they replace any in the text).
 */
export function preflightBody(instanceA: string, instanceB: string, text: string): PreflightBody {
  if (instanceA === '' || instanceB === '') return { ok: false, problem: 'instances' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: 'json', detail: error instanceof Error ? error.message : String(error) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'object' };
  }
  return {
    ok: true,
    body: {
      ...(parsed as Record<string, unknown>),
      company_a_instance_id: instanceA,
      company_b_instance_id: instanceB,
    },
  };
}

/** A sample request for the preflight form (no real serials: the preflight only reads). */
export const SAMPLE_PREFLIGHT_REQUEST = `{
  "supplier": "Proveedor",
  "company_a_name": "Compania A",
  "company_b_customer_name": "Compania B",
  "company_a_supplier_name": "Compania A",
  "company_a_warehouse": "Stores - CA",
  "company_b_warehouse": "Stores - CB",
  "items": [{ "item_code": "ITEM-001", "qty": 1, "rate": "10.00", "serials": ["SAMPLE-0001"] }]
}`;
