import type { FastifyBaseLogger } from 'fastify';

/** What a request's log lines say of it: never a query string value, nor a header. */
export interface LoggedRequest {
  readonly method: string | undefined;
  /** The path alone, without the query string. */
  readonly url: string;
  /** The names of the query string's parameters (sorted, each once); never their values. */
  readonly query?: readonly string[];
  readonly remoteAddress?: string | undefined;
}

interface RequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly ip?: string | undefined;
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

/** The path of a request URL, without the query string (nor a fragment). */
export function pathOf(url: string | undefined): string {
  const value = url ?? '';
  const end = value.search(/[?#]/);
  return end === -1 ? value : value.slice(0, end);
}

/** The names of a URL's query string parameters, sorted and each once; never their values. */
export function queryNamesOf(url: string | undefined): string[] {
  const value = url ?? '';
  const start = value.indexOf('?');
  if (start === -1) return [];
  const names = new Set<string>();
  for (const pair of value.slice(start + 1).split(/[&;]/)) {
    if (pair === '' || pair.startsWith('#')) continue;
    const raw = pair.split('=', 1)[0] ?? '';
    let name: string;
    try {
      name = decodeURIComponent(raw.replaceAll('+', ' '));
    } catch {
      name = raw;
    }
    // A name is short; anything longer is not logged (it may be a value sent without a name).
    names.add(name.length <= 64 ? name : '(a long name)');
  }
  return [...names].sort();
}

/**
 * The `req` log serializer of the chassis: the method, the path and the names of the query
 * parameters, never their values (a serial in `?serial=` may be a PIN: money), nor headers.
 */
export function serializeRequest(request: RequestLike): LoggedRequest {
  const query = queryNamesOf(request.url);
  return {
    method: request.method,
    url: pathOf(request.url),
    ...(query.length === 0 ? {} : { query }),
    remoteAddress: request.ip ?? request.socket?.remoteAddress,
  };
}

/**
 * The service's logger with the chassis' `req` serializer, which wins over fastify's own (that
 * one logs the whole URL, query string included) and over the logger's.
 */
export function withRequestSerializer(logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger.child({}, { serializers: { req: serializeRequest } });
}
