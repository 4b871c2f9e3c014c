import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
import { requireUser } from './authenticate.js';
import { callMethod, methodDoctype } from './methods.js';
import { docForResponse } from './replies.js';
import { runRequest } from './request-runner.js';

type Query = Record<string, string | undefined>;
type Params = { doctype: string; '*'?: string; method?: string };

/**
 * Frappe REST v1 (frappe/api/v1.py), under /api and /api/v1:
 * resource list, get, insert, update, delete, run_method; whitelisted methods.
 */
export function registerApiRoutes(app: FastifyInstance, site: Site): void {
  for (const base of ['/api', '/api/v1']) {
    app.get(`${base}/resource/:doctype`, (request, reply) =>
      resource(site, request, reply, 'GET /api/resource/:doctype', (ctx) => {
        const { doctype } = request.params as Params;
        const rows = queryList(
          ctx.txn,
          ctx.meta,
          doctypeOf(ctx, doctype).name,
          parseListArgs(request.query as Query),
          { now: ctx.now },
        );
        return { data: rows };
      }),
    );
    app.post(`${base}/resource/:doctype`, (request, reply) =>
      resource(site, request, reply, 'POST /api/resource/:doctype', (ctx) => {
        const { doctype } = request.params as Params;
        const { doctype: _ignored, ...data } = requestData(request);
        return { data: docForResponse(insertDoc(ctx, doctype, data)) };
      }),
    );
    app.get(`${base}/resource/:doctype/*`, (request, reply) =>
      resource(site, request, reply, 'GET /api/resource/:doctype/:name', (ctx) => {
        const { doctype, name } = docParams(request);
        return { data: docForResponse(getDoc(ctx, doctype, name)) };
      }),
    );
    app.put(`${base}/resource/:doctype/*`, (request, reply) =>
      resource(site, request, reply, 'PUT /api/resource/:doctype/:name', (ctx) => {
        const { doctype, name } = docParams(request);
        const { flags: _flags, ...changes } = requestData(request);
        return { data: docForResponse(updateDoc(ctx, doctype, name, changes)) };
      }),
    );
    app.delete(`${base}/resource/:doctype/*`, (request, reply) =>
      resource(
        site,
        request,
        reply,
        'DELETE /api/resource/:doctype/:name',
        (ctx) => {
          const { doctype, name } = docParams(request);
          deleteDoc(ctx, doctype, name);
          return { data: 'ok' };
        },
        202,
      ),
    );
    app.post(`${base}/resource/:doctype/*`, (request, reply) =>
      resource(site, request, reply, 'POST /api/resource/:doctype/:name', (ctx) => {
        const { doctype, name } = docParams(request);
        const args = { ...(request.query as Query), ...requestData(request) };
        // execute_doc_method pops run_method from form_dict: without it, a KeyError (500)
        if (typeof args.run_method !== 'string') throw new FrappeError('KeyError', "'run_method'");
        return { message: runDocMethod(ctx, doctype, name, args.run_method) };
      }),
    );
    app.route({
      method: ['GET', 'POST', 'PUT'],
      url: `${base}/method/*`,
      handler: (request, reply) => {
        const path = (request.params as Params)['*'] ?? '';
        const args = methodArgs(request);
        return runRequest(site, request, reply, {
          route: `${request.method} /api/method/${path}`,
          target: { httpMethod: request.method, method: path, doctype: methodDoctype(path, args) },
          // frappe/handler.py: `message` only when the method returned something
          work: (ctx) => {
            const message = callMethod(ctx, path, request.method, args);
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
      work: () => frappeRaise('DoesNotExistError', ''),
    }),
  );
}

function resource(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  route: string,
  work: (ctx: RequestContext) => unknown,
  successStatus?: number,
): Promise<void> {
  const { doctype } = request.params as Params;
  return runRequest(site, request, reply, {
    route,
    target: { httpMethod: request.method, doctype },
    work: (ctx, user) => {
      requireUser(user, doctype);
      return work(ctx);
    },
    ...(successStatus === undefined ? {} : { successStatus }),
  });
}

function docParams(request: FastifyRequest): { doctype: string; name: string } {
  const params = request.params as Params;
  return { doctype: params.doctype, name: params['*'] ?? '' };
}

/**
 * frappe/api/v1.py get_request_form_data: the form field `data`, else the body, parsed as JSON;
 * `{"data": {...}}` is unwrapped. What does not parse counts as no data.
 */
function requestData(request: FastifyRequest): Record<string, unknown> {
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
  return isRecord(data) ? data : {};
}

/** With a JSON body, the method's arguments are the body (query-string arguments are ignored). */
function methodArgs(request: FastifyRequest): Record<string, unknown> {
  if (isRecord(request.body) && request.headers['content-type']?.includes('application/json'))
    return request.body;
  return { ...(request.query as Query), ...(isRecord(request.body) ? request.body : {}) };
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
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
