import Fastify, { type FastifyInstance } from 'fastify';
import type { Site } from '../sites/site.js';
import { registerApiRoutes } from './api-routes.js';
import { parseJsonBody } from './request-body.js';

/** Request bodies over 25 MiB (Frappe's max_file_size default) are refused with 413. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;
/** gunicorn's limit_request_line. */
export const MAX_REQUEST_LINE = 4094;

export interface SiteAppOptions {
  /** Extra routes (the /__sim/ inspection API), registered when given. */
  extraRoutes?: (app: FastifyInstance, site: Site) => void;
}

/** The HTTP server of one site. */
export function buildSiteApp(site: Site, options: SiteAppOptions = {}): FastifyInstance {
  const app = Fastify({ bodyLimit: MAX_BODY_BYTES, logger: false, http: { maxHeaderSize: 64 * 1024 } });

  // gunicorn refuses a request line over limit_request_line before Frappe sees it.
  app.addHook('onRequest', async (request, reply) => {
    const line = `${request.method} ${request.raw.url ?? ''} HTTP/1.1`;
    if (Buffer.byteLength(line) > MAX_REQUEST_LINE) {
      // gunicorn/util.py write_error for LimitRequestLine
      return reply
        .code(400)
        .header('Connection', 'close')
        .type('text/html')
        .send(
          `<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n    <h1><p>Bad Request</p></h1>\n    Request Line is too large (${Buffer.byteLength(line)} &gt; ${MAX_REQUEST_LINE})\n  </body>\n</html>\n`,
        );
    }
  });

  // make_form_dict: a JSON body (werkzeug's is_json) is json.loads'ed; what fails is raised by the
  // route, inside the request (request-body.ts). Form posts are fields; anything else is text.
  app.removeAllContentTypeParsers();
  const json = (_request: unknown, body: string | Buffer, done: (err: null, value: unknown) => void) =>
    done(null, parseJsonBody(String(body)));
  app.addContentTypeParser('application/json', { parseAs: 'string' }, json);
  app.addContentTypeParser(/^application\/[^;\s]*\+json(?:;|\s|$)/i, { parseAs: 'string' }, json);
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    if (error.statusCode === 413) {
      // werkzeug's RequestEntityTooLarge page
      return reply
        .code(413)
        .type('text/html')
        .send(
          '<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n<h1>Request Entity Too Large</h1>\n<p>The data value transmitted exceeds the capacity limit.</p>\n',
        );
    }
    return reply
      .code(error.statusCode ?? 500)
      .type('text/plain')
      .send(error.message);
  });

  registerApiRoutes(app, site);
  options.extraRoutes?.(app, site);
  return app;
}
