import { createReadStream } from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ConsoleDirs, etagOf, fileState, resolveConsoleFile } from './console-files.js';

/** What the tracker serves the console from (docs/console.md). */
export interface ConsoleRouteOptions extends ConsoleDirs {
  /**
   * TRACKER_CONSOLE_INTAKE_URL: the intake the console writes to (`GET /console/config.json`);
   * empty: the console's own origin (both APIs behind one host).
   */
  readonly intakeUrl: string;
}

/** The error code of a console that was not built (`packages/console` has no compiled files). */
export const CONSOLE_NOT_BUILT = 'console_not_built';

/**
 * The Content-Security-Policy of every console answer: nothing but the console's own files, and
 * calls to its own origin and to intake's (when it is another); no plugins (`object-src`), and
 * Trusted Types required with no policy (no string ever reaches an HTML or script sink).
 */
export function consoleCsp(intakeUrl: string): string {
  const connect = intakeUrl === '' ? "'self'" : `'self' ${new URL(intakeUrl).origin}`;
  return [
    "default-src 'self'",
    `connect-src ${connect}`,
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    // The console never writes HTML from text: any sink that would parse it is refused.
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join('; ');
}

const ConsoleConfig = Type.Object(
  {
    intake_url: Type.String({
      description: 'the intake API the console writes to; "" means the console’s own origin',
    }),
  },
  { additionalProperties: false },
);

const PUBLIC = { auth: 'public' } as const;
/** Static files: public like the probes, not in the OpenAPI document (they are not an API). */
const STATIC = { config: PUBLIC, schema: { hide: true } } as const;

/**
 * The operations console at `/console/` (public: the page asks for a token itself, and every
 * call it makes is authenticated by the APIs): `/console` redirects to `/console/`, `/console/`
 * is index.html, `/console/config.json` says where intake is, and `/console/<file>` serves a
 * compiled module (`*.js`, `*.js.map`) or a file of `public/`. No directory listing, nothing
 * outside those two folders; every answer carries the console's CSP and security headers; a
 * console that was not built answers 503 saying so.
 */
export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions): void {
  const csp = consoleCsp(options.intakeUrl);
  const secure = async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  };

  app.get('/console', { ...STATIC, onSend: secure }, async (request, reply) => {
    const query = request.url.indexOf('?');
    return reply.redirect(query === -1 ? '/console/' : `/console/${request.url.slice(query)}`, 308);
  });

  app.get(
    '/console/config.json',
    {
      config: PUBLIC,
      onSend: secure,
      schema: {
        operationId: 'consoleConfig',
        summary: 'The operations console’s settings: where intake is',
        description:
          'Public, like the console’s files: it names intake’s URL (TRACKER_CONSOLE_INTAKE_URL) and nothing else.',
        tags: ['console'],
        security: [],
        response: { 200: ConsoleConfig },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { intake_url: options.intakeUrl };
    },
  );

  app.get('/console/', { ...STATIC, onSend: secure }, async (request, reply) =>
    sendFile(request, reply, options, 'index.html'),
  );

  app.get('/console/*', { ...STATIC, onSend: secure }, async (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    return sendFile(request, reply, options, relative);
  });
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  dirs: ConsoleDirs,
  relative: string,
): Promise<FastifyReply> {
  const file = resolveConsoleFile(dirs, relative);
  if (file === undefined) return notFound(reply);
  const state = await fileState(file);
  if (state.kind === 'dir_missing' || (state.kind === 'missing' && relative === 'index.html')) {
    return reply.code(503).send({
      error: CONSOLE_NOT_BUILT,
      message:
        'the operations console is not built on this server: build packages/console (pnpm build) and restart the tracker',
    });
  }
  if (state.kind === 'missing') return notFound(reply);
  const etag = etagOf(state);
  // Not hashed names: the browser keeps a copy but asks every time whether it is still current.
  reply.header('cache-control', 'no-cache').header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  reply.type(file.contentType).header('content-length', state.size);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(createReadStream(file.path));
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ error: 'not_found', message: 'the console has no such file' });
}
