import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { RequestContext } from '../frappe/context.js';
import {
  cancelDoc,
  deleteDoc,
  doctypeOf,
  getDoc,
  insertDoc,
  submitWholeDoc,
  updateDoc,
} from '../frappe/document.js';
import { FrappeError, frappeRaise } from '../frappe/errors.js';
import { parseListArgs, queryList } from '../frappe/list-query.js';
import type { Site } from '../sites/site.js';
import { authenticate, requireUser } from './authenticate.js';
import { callMethod, methodDoctype } from './methods.js';
import { docForResponse, sendFrappeError } from './replies.js';
import { assertBodyAccepted, isJsonContentType } from './request-body.js';
import { runRequest } from './request-runner.js';

type Query = Record<string, string | undefined>;
type Params = { doctype: string; '*'?: string; method?: string };

/** HTTP methods werkzeug refuses on the resource rules (OPTIONS is answered before routing). */
const NOT_ALLOWED: HTTPMethods[] = ['PATCH', 'TRACE', 'QUERY'];
/** The verbs of the rules `/resource/<doctype>` and `/resource/<doctype>/<path:name>`. */
const COLLECTION_VERBS = 'GET, HEAD, POST';
const DOCUMENT_VERBS = 'DELETE, GET, HEAD, POST, PUT';

/**
 * Frappe REST v1 (frappe/api/v1.py), under /api and /api/v1: resource list, get, insert,
 * update, delete, run_method; whitelisted methods. The URL map has strict_slashes=False, so
 * `/resource/<doctype>/` is the collection; a verb no rule of a known path has is werkzeug's 405.
 */
export function registerApiRoutes(app: FastifyInstance, site: Site): void {
  for (const base of ['/api', '/api/v1']) {
    const list = (request: FastifyRequest, reply: FastifyReply) =>
      resource(
        site,
        request,
        reply,
        'GET /api/resource/:doctype',
        (ctx) => {
          const { doctype } = request.params as Params;
          const rows = queryList(
            ctx.txn,
            ctx.meta,
            doctypeOf(ctx, doctype).name,
            parseListArgs(request.query as Query),
            { now: ctx.now },
          );
          return { data: rows };
        },
        { list: true },
      );
    const create = (request: FastifyRequest, reply: FastifyReply) =>
      resource(site, request, reply, 'POST /api/resource/:doctype', (ctx) => {
        const { doctype } = request.params as Params;
        const data = requestData(request);
        // create_doc: data.pop("doctype", None), on a list a TypeError
        if (Array.isArray(data)) throw new FrappeError('TypeError', 'pop expected at most 1 argument, got 2');
        const { doctype: _ignored, ...fields } = data;
        return { data: docForResponse(insertDoc(ctx, doctype, fields)) };
      });

    app.get(`${base}/resource/:doctype`, list);
    app.post(`${base}/resource/:doctype`, create);
    app.route({
      method: ['PUT', 'DELETE', ...NOT_ALLOWED],
      url: `${base}/resource/:doctype`,
      handler: (request, reply) => methodNotAllowed(site, request, reply, COLLECTION_VERBS),
    });

    app.get(`${base}/resource/:doctype/*`, (request, reply) => {
      if (docParams(request).name === '') return list(request, reply);
      return resource(site, request, reply, 'GET /api/resource/:doctype/:name', (ctx) => {
        const { doctype, name } = docParams(request);
        return { data: docForResponse(getDoc(ctx, doctype, name)) };
      });
    });
    app.put(`${base}/resource/:doctype/*`, (request, reply) => {
      if (docParams(request).name === '') return methodNotAllowed(site, request, reply, COLLECTION_VERBS);
      return resource(site, request, reply, 'PUT /api/resource/:doctype/:name', (ctx) => {
        const { doctype, name } = docParams(request);
        const data = requestData(request);
        if (Array.isArray(data)) {
          // update_doc: get_doc first, then doc.update(data) calls data.items()
          getDoc(ctx, doctype, name);
          throw new FrappeError('AttributeError', "'list' object has no attribute 'items'");
        }
        const { flags: _flags, ...changes } = data;
        return { data: docForResponse(updateDoc(ctx, doctype, name, changes)) };
      });
    });
    app.delete(`${base}/resource/:doctype/*`, (request, reply) => {
      if (docParams(request).name === '') return methodNotAllowed(site, request, reply, COLLECTION_VERBS);
      return resource(
        site,
        request,
        reply,
        'DELETE /api/resource/:doctype/:name',
        (ctx) => {
          const { doctype, name } = docParams(request);
          deleteDoc(ctx, doctype, name);
          return { data: 'ok' };
        },
        { successStatus: 202 },
      );
    });
    app.post(`${base}/resource/:doctype/*`, (request, reply) => {
      if (docParams(request).name === '') return create(request, reply);
      return resource(site, request, reply, 'POST /api/resource/:doctype/:name', (ctx) => {
        const { doctype, name } = docParams(request);
        const data = requestData(request);
        const args = { ...(request.query as Query), ...(Array.isArray(data) ? {} : data) };
        // execute_doc_method pops run_method from form_dict: without it, a KeyError (500)
        if (typeof args.run_method !== 'string') throw new FrappeError('KeyError', "'run_method'");
        return { message: runDocMethod(ctx, doctype, name, args.run_method) };
      });
    });
    app.route({
      method: NOT_ALLOWED,
      url: `${base}/resource/:doctype/*`,
      handler: (request, reply) =>
        methodNotAllowed(
          site,
          request,
          reply,
          docParams(request).name === '' ? COLLECTION_VERBS : DOCUMENT_VERBS,
        ),
    });

    // `/method/<path:method>` has no methods list: every verb reaches execute_cmd, which checks it
    // against the method's whitelist (GET, POST, PUT, DELETE unless it says otherwise).
    app.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', ...NOT_ALLOWED],
      url: `${base}/method/*`,
      handler: (request, reply) => {
        const path = (request.params as Params)['*'] ?? '';
        return runRequest(site, request, reply, {
          route: `${request.method} /api/method/${path}`,
          target: {
            httpMethod: request.method,
            method: path,
            doctype: methodDoctype(path, methodArgs(request)),
          },
          // frappe/handler.py: `message` only when the method returned something
          work: (ctx) => {
            assertBodyAccepted(request.body);
            const message = callMethod(ctx, path, request.method, methodArgs(request));
            return message === undefined || message === null ? {} : { message };
          },
        });
      },
    });
  }
  app.all('/api/*', (request, reply) =>
    runRequest(site, request, reply, {
      route: 'unknown /api route',
      target: { httpMethod: request.method },
      work: () => {
        assertBodyAccepted(request.body);
        return frappeRaise('DoesNotExistError', '');
      },
    }),
  );
}

function resource(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  route: string,
  work: (ctx: RequestContext) => unknown,
  options: { successStatus?: number; list?: boolean } = {},
): Promise<void> {
  const { doctype } = request.params as Params;
  return runRequest(site, request, reply, {
    route,
    target: { httpMethod: request.method, doctype },
    work: (ctx, user) => {
      // make_form_dict reads the body before anything else
      assertBodyAccepted(request.body);
      requireUser(user, doctype, options.list === true);
      return work(ctx);
    },
    ...(options.successStatus === undefined ? {} : { successStatus: options.successStatus }),
  });
}

/**
 * werkzeug MethodNotAllowed, which frappe/app.py `application` returns as it is: the 405 HTML
 * page with an `Allow` header (werkzeug lists the verbs from a set, so its order varies; here they
 * are sorted). Frappe validates the credentials first, so bad ones still answer 401.
 */
function methodNotAllowed(site: Site, request: FastifyRequest, reply: FastifyReply, allow: string): void {
  try {
    authenticate(site, request.headers.authorization);
  } catch (error) {
    if (error instanceof FrappeError) return void sendFrappeError(reply, error, false);
    throw error;
  }
  reply
    .code(405)
    .header('Allow', allow)
    .type('text/html; charset=utf-8')
    .send(
      '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n',
    );
}

/** The document path: `<path:name>` may hold "/"; a single trailing "/" is not part of it. */
function docParams(request: FastifyRequest): { doctype: string; name: string } {
  const params = request.params as Params;
  const name = params['*'] ?? '';
  return { doctype: params.doctype, name: name.endsWith('/') ? name.slice(0, -1) : name };
}

/**
 * frappe/api/v1.py get_request_form_data: the form field `data`, else the body, parsed as JSON;
 * `{"data": ...}` is unwrapped. A JSON array stays an array (make_form_dict puts a list body in
 * form_dict.data). Text that does not parse counts as no data (the ValueError is caught).
 */
function requestData(request: FastifyRequest): Record<string, unknown> | unknown[] {
  const body = request.body;
  let data: unknown = body;
  if (isRecord(body) && 'data' in body) data = body.data;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      data = {};
    }
  }
  if (Array.isArray(data)) return data;
  return isRecord(data) ? data : {};
}

/**
 * With a JSON body, the method's arguments are the body (query-string arguments are ignored); a
 * JSON array is form_dict.data.
 */
function methodArgs(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (isJsonContentType(request.headers['content-type'])) {
    if (Array.isArray(body)) return { data: body };
    if (isRecord(body)) return body;
  }
  return { ...(request.query as Query), ...(isRecord(body) ? body : {}) };
}

/** frappe/api/v1.py execute_doc_method: whitelisted document methods (submit, cancel). */
function runDocMethod(ctx: RequestContext, doctype: string, name: string, method: string): unknown {
  const doc = getDoc(ctx, doctype, name);
  if (method === 'submit') return submitWholeDoc(ctx, doc);
  if (method === 'cancel') return cancelDoc(ctx, doctype, name);
  // Document.is_whitelisted
  throw new FrappeError('PermissionError', `Method ${method} not whitelisted`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}
