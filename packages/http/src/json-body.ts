import type { FastifyInstance } from 'fastify';
import { findJsonSyntaxError, type JsonSyntaxError } from './json-syntax.js';

/** A body that is not JSON: where it stops being JSON (never what is there). */
export class JsonBodyError extends Error {
  override readonly name = 'JsonBodyError';
  readonly statusCode = 400;

  constructor(readonly syntax: JsonSyntaxError | undefined) {
    super(
      syntax === undefined
        ? 'the body is not valid JSON'
        : `the body is not valid JSON: ${syntax.reason} at line ${syntax.line}, column ${syntax.column} (character ${syntax.position})`,
    );
  }
}

/**
 * Replaces fastify's parsers with one for JSON: an empty body is no body (a route that needs one says so in
 * its validation), and a body that is not JSON is a JsonBodyError saying where it fails. Keys
 * named `__proto__` stay plain data (JSON.parse makes them own properties; every schema refuses
 * unknown fields).
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  // JSON only: a body of any other type is answered 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new JsonBodyError(findJsonSyntaxError(text)), undefined);
    }
  });
}
