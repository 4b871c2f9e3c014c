/**
 * An instance's base URL: http or https, a host, optionally a port and a path; no credentials
 * (they belong in the API key and secret), no query or fragment. Answers the normalized URL
 * (no trailing slash) or throws saying what is wrong, without echoing credentials.
 */
export function normalizeBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error('base_url is not a valid URL: give http(s)://host[:port]');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`base_url must be http or https, not ${url.protocol.replace(':', '')}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('base_url must not carry credentials: put them in api_key and api_secret');
  }
  if (url.search !== '' || url.hash !== '') throw new Error('base_url must not have a query or a fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
