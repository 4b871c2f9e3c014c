import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FaultConfig } from '../faults/fault-config.schema.js';
import type { Doc } from '../frappe/database.js';
import type { Site } from '../sites/site.js';
import { parseRecordsBody, SitesFileError, schemaProblems } from '../sites/sites-file.schema.js';

/** Where the inspection API lives on every site's server. */
export const INSPECTION_PREFIX = '/__sim';

const faultConfigChecker = TypeCompiler.Compile(FaultConfig);

type Query = Record<string, string | string[] | undefined>;

/**
 * The simulator's own API under /__sim/ (not ERPNext's): reset the site, load records, change the
 * faults, look at documents, serial numbers and request counters. No authentication: it is for
 * the operator and the tests, on a local address. JSON in and out; bad input is a 4xx with an
 * `error` that says what is wrong, never a 5xx.
 */
export function registerInspectionRoutes(app: FastifyInstance, site: Site): void {
  app.register(
    async (scope) => {
      // Strict JSON here (the ERPNext routes read bodies leniently, as Frappe does).
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        const text = String(body);
        if (text.trim() === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch (error) {
          done(
            httpError(
              400,
              `the body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
        }
      });
      scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) =>
        done(httpError(415, 'send JSON (Content-Type: application/json)')),
      );
      scope.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
        const status =
          error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500
            ? error.statusCode
            : 500;
        return reply.code(status).send({ error: error.message });
      });
      scope.setNotFoundHandler((request, reply) =>
        reply
          .code(404)
          .send({ error: `no inspection route ${request.method} ${request.url.split('?')[0] ?? ''}` }),
      );

      scope.get('/health', () => ({ status: 'ok', site: site.name }));

      scope.post('/reset', () => {
        site.reset();
        return { ok: true, site: site.name, documents: documentCounts(site) };
      });

      scope.post('/records', (request, reply) => {
        if (request.body === undefined)
          return badRequest(reply, 'send {"records": [...], "settings": {...}} as JSON');
        let parsed: ReturnType<typeof parseRecordsBody>;
        try {
          parsed = parseRecordsBody(request.body);
        } catch (error) {
          if (error instanceof SitesFileError) return badRequest(reply, error.message, error.problems);
          throw error;
        }
        try {
          site.load(parsed.records, parsed.settings);
        } catch (error) {
          // Nothing was committed: the load is one transaction.
          return badRequest(reply, error instanceof Error ? error.message : String(error));
        }
        return { ok: true, inserted: parsed.records.length, settings: Object.keys(parsed.settings) };
      });

      scope.get('/faults', () => site.faults.get());

      scope.put('/faults', (request, reply) => {
        const body = request.body;
        if (body === undefined) return badRequest(reply, 'send the faults as a JSON object ({} for none)');
        const problems = schemaProblems(faultConfigChecker, body);
        if (problems.length > 0) {
          const list = problems.map((p) => `${p.path === '' ? '(body)' : p.path}: ${p.message}`).join('; ');
          return badRequest(reply, `invalid faults: ${list}`, problems);
        }
        site.faults.set(body as FaultConfig);
        return site.faults.get();
      });

      scope.get('/documents', (request, reply) => {
        const doctype = (request.query as Query).doctype;
        if (doctype === undefined || doctype === '') return { counts: documentCounts(site) };
        if (typeof doctype !== 'string') return badRequest(reply, 'give one doctype');
        if (!site.meta.has(doctype)) {
          return reply.code(404).send({ error: `unknown doctype ${JSON.stringify(doctype)}` });
        }
        const data = [...site.db.rows(doctype)];
        return { doctype, count: data.length, data };
      });

      scope.get('/serials', (request, reply) => {
        const query = request.query as Query;
        const filters: Array<[string, string]> = [];
        for (const field of ['item_code', 'warehouse', 'status', 'company']) {
          const value = query[field];
          if (value === undefined) continue;
          if (typeof value !== 'string') return badRequest(reply, `give one ${field}`);
          filters.push([field, value]);
        }
        const data = site
          .serialLedger()
          .filter((doc) => filters.every(([field, value]) => fieldText(doc, field) === value));
        return { count: data.length, data };
      });

      scope.get('/requests', () => requestStats(site));

      scope.post('/requests/reset', () => {
        for (const key of Object.keys(site.counts)) delete site.counts[key];
        site.faults.pool.resetStats();
        return requestStats(site);
      });
    },
    { prefix: INSPECTION_PREFIX },
  );
}

/** Committed documents per doctype: every doctype the site knows (child tables live in their parents). */
export function documentCounts(site: Site): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const def of site.meta.all()) {
    if (def.istable) continue;
    let n = 0;
    for (const _row of site.db.rows(def.name)) n++;
    counts[def.name] = n;
  }
  return counts;
}

function requestStats(site: Site): {
  counts: Record<string, number>;
  total: number;
  pool: ReturnType<Site['faults']['pool']['stats']>;
} {
  const counts = { ...site.counts };
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { counts, total, pool: site.faults.pool.stats() };
}

function fieldText(doc: Doc, field: string): string {
  const value = doc[field];
  return value === undefined || value === null ? '' : String(value);
}

function badRequest(
  reply: FastifyReply,
  error: string,
  problems?: ReadonlyArray<{ path: string; message: string }>,
): FastifyReply {
  return reply.code(400).send(problems === undefined ? { error } : { error, problems });
}

function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}
