import type { Doctype } from '../api/types.js';

/** Links to ERPNext documents: `{base_url}/app/{doctype-slug}/{name}` (Frappe's desk URLs). Pure. */

const SLUGS: Readonly<Record<Doctype, string>> = {
  'Purchase Order': 'purchase-order',
  'Purchase Receipt': 'purchase-receipt',
  'Delivery Note': 'delivery-note',
};

/** The desk slug of a doctype (`Purchase Order` → `purchase-order`). */
export function doctypeSlug(doctype: Doctype): string {
  return SLUGS[doctype];
}

/**
 * The URL of a document on its site; undefined when the base URL is unknown or not http(s)
 * (a link is only made to a site the registry names, never from a `javascript:` URL).
 */
export function documentUrl(baseUrl: string | undefined, doctype: Doctype, name: string): string | undefined {
  if (baseUrl === undefined) return undefined;
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    return undefined;
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') return undefined;
  if (base.username !== '' || base.password !== '') return undefined;
  const path = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${path}/app/${doctypeSlug(doctype)}/${encodeURIComponent(name)}`;
}
