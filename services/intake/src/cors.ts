import type { FastifyInstance } from 'fastify';

/** The methods and request headers the console's calls use (docs/console.md). */
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key'] as const;
/** How long a browser may keep a preflight's answer (10 minutes). */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * INTAKE_CORS_ORIGINS: comma-separated origins (`scheme://host[:port]`, http or https, no path,
 * no trailing slash), each checked; blanks between commas are ignored. Throws a sentence naming
 * the first one that is not an origin.
 */
export function parseCorsOrigins(text: string): readonly string[] {
  const origins: string[] = [];
  for (const item of text.split(',')) {
    const origin = item.trim();
    if (origin === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (
      url === undefined ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.origin !== origin.toLowerCase()
    ) {
      throw new Error(
        `"${origin}" is not an origin: write scheme://host[:port] (e.g. http://127.0.0.1:8085), without a path or a trailing slash`,
      );
    }
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

/**
 * CORS for the listed origins only (the console, served by the tracker, calls intake from
 * another origin). A request from a listed origin gets `Access-Control-Allow-Origin` (its own
 * origin echoed) on every answer, errors included; a preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) from one is answered 204 with the allowed methods, headers and
 * max-age, before any route or token check. No credentials mode: the token is a header. Every
 * answer says `Vary: Origin`; other origins get no CORS header at all (the browser then refuses
 * the answer to the page), and their preflight falls through to the 404 of an unknown route.
 * Nothing at all is added when `origins` is empty.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const listed = new Set(origins);
  const allowedOf = (origin: string | undefined) =>
    origin !== undefined && listed.has(origin) ? origin : undefined;

  app.addHook('onRequest', async (request, reply) => {
    const origin = allowedOf(request.headers.origin);
    if (origin === undefined || request.method !== 'OPTIONS') return;
    if (request.headers['access-control-request-method'] === undefined) return;
    return reply
      .code(204)
      .header('access-control-allow-methods', CORS_ALLOWED_METHODS.join(', '))
      .header('access-control-allow-headers', CORS_ALLOWED_HEADERS.join(', '))
      .header('access-control-max-age', String(CORS_MAX_AGE_SECONDS))
      .send();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('vary', varyWithOrigin(reply.getHeader('vary')));
    const origin = allowedOf(request.headers.origin);
    if (origin !== undefined) reply.header('access-control-allow-origin', origin);
    return payload;
  });
}

/** A Vary header with `Origin` in it (once). */
function varyWithOrigin(current: unknown): string {
  const values =
    typeof current === 'string' && current.trim() !== ''
      ? current.split(',').map((value) => value.trim())
      : [];
  if (values.some((value) => value.toLowerCase() === 'origin' || value === '*')) return values.join(', ');
  return [...values, 'Origin'].join(', ');
}
