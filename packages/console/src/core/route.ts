import { filtersFromParams, type TransferFilters } from './filters.js';

/** The console's pages, from the URL hash (hash routing keeps every URL under /console/). Pure. */
export type Route =
  | { readonly page: 'sign-in' }
  | { readonly page: 'transfers'; readonly filters: TransferFilters }
  | { readonly page: 'transfer'; readonly id: string }
  | { readonly page: 'instances' };

const TRANSFER_ID = /^tr_[0-9A-HJKMNP-TV-Z]{26}$/;

/** The route a hash (`#/transfers?status=failed`, `#/transfers/tr_...`) names; unknown: the list. */
export function parseHash(hash: string): Route {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const question = text.indexOf('?');
  const path = question === -1 ? text : text.slice(0, question);
  const query = question === -1 ? '' : text.slice(question + 1);
  const parts = path.split('/').filter((part) => part !== '');
  if (parts[0] === 'sign-in' && parts.length === 1) return { page: 'sign-in' };
  if (parts[0] === 'instances' && parts.length === 1) return { page: 'instances' };
  if (parts[0] === 'transfers' && parts.length === 2) {
    const id = decodeURIComponent(parts[1] ?? '');
    if (TRANSFER_ID.test(id)) return { page: 'transfer', id };
  }
  if (parts[0] === 'transfers' && parts.length === 1) {
    return { page: 'transfers', filters: filtersFromParams(new URLSearchParams(query)) };
  }
  return { page: 'transfers', filters: {} };
}

/** The hash of one transfer's page. */
export function transferHash(id: string): string {
  return `#/transfers/${encodeURIComponent(id)}`;
}
