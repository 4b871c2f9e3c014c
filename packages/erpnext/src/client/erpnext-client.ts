/**
 * ErpnextClient: Interco's one way to call one ERPNext instance (Frappe REST API v1). Typed
 * operations over a pipeline that every request goes through:
 *
 *   retry (reads only) -> breaker fast-fail check -> in-flight cap -> circuit breaker -> transport
 *
 * - every failure becomes an ErpnextError through classify() (see ../errors);
 * - reads (get, getSingle, list, listAll, ping, call with write: false, and the POST of
 *   frappe.client.get_list) are retried on transient errors, with backoff and jitter;
 * - writes (insert, submit, cancel, call with write: true) are sent once: when one fails
 *   transiently with `outcomeUnknown`, the caller looks the document up by its marker;
 * - reads use the instance's read timeout, writes its write timeout (longer than the site's
 *   worker timeout, a rule the config is checked against, so that when the client gives up the
 *   server has finished or rolled back);
 * - serial numbers (which may be PINs) never go into a URL, where access logs would keep them:
 *   lists of Serial No always go by POST frappe.client.get_list; the client's own log lines carry
 *   instance, operation, kind, reason and status only, never ERPNext's messages.
 *
 * Lifetime: a client owns a connection pool and its breaker's timers until `close()`. A service
 * that keeps one client per instance must close every client it replaces or drops: when
 * `InstanceCache.onChange(id, config)` reports a changed or removed instance, build the new
 * client (if any) and call `close()` on the old one (it lets calls under way finish). A replaced
 * client that is never closed keeps its sockets open, and keeps using the old credentials.
 */
import { type ClassifyContext, classify } from '../errors/classify.js';
import { ErpnextError, type MarkerField } from '../errors/erpnext-error.js';
import type { InstanceConfig } from '../instances/instance-config.schema.js';
import { type BreakerHealth, type BreakerOptions, type BreakerState, InstanceBreaker } from './breaker.js';
import { InFlightLimiter, type InFlightStats } from './in-flight-limiter.js';
import { resolveInstance } from './instance-settings.js';
import {
  DEFAULT_MAX_GET_TARGET_BYTES,
  type ListOptions,
  listMethodBody,
  listResourcePath,
} from './list-request.js';
import { type Logger, silentLogger } from './logger.js';
import { type ErpnextMetrics, operationLabel, statusLabel } from './metrics.js';
import { DEFAULT_READ_RETRY, type RetryPolicy, withRetry } from './retry-policy.js';
import { type HttpMethod, HttpTransport } from './transport.js';

/** A document as ERPNext answers it: its `name` and whatever fields it has. */
export type ErpnextDoc = { name: string } & Record<string, unknown>;
/** A row of a list: the fields asked for. */
export type ErpnextRow = Record<string, unknown>;

export interface ErpnextClientOptions {
  logger?: Logger;
  breaker?: Partial<BreakerOptions>;
  /** How reads are retried. */
  retry?: Partial<RetryPolicy>;
  /**
   * Lists whose GET request target would be longer go as POST frappe.client.get_list (Serial No
   * lists always do). Default 3,500.
   */
  maxGetTargetBytes?: number;
  /** TCP/TLS connect timeout (ms). Default 10,000. */
  connectTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this (ms). Default 4,000. */
  keepAliveTimeoutMs?: number;
  /** Source of jitter, [0, 1). Default Math.random. */
  random?: () => number;
  /**
   * Where every request (each attempt) is recorded, with its duration and status, and every
   * failure by status, kind and reason (a refusal by the open breaker is a failure with status
   * `breaker_open`, and no duration: it never reached the site). A ServiceMetrics fits.
   */
  metrics?: ErpnextMetrics;
  /**
   * Told every change of the breaker's state, and `closed` at once. Only for a client kept for
   * the life of the process (the step services' one client per instance: StepClients reports it
   * as `interco_erpnext_breaker_state`); a client made for one call leaves it out.
   */
  onBreakerState?: (state: BreakerState) => void;
}

export interface InsertOptions {
  /** Insert and submit in one transaction (`docstatus: 1` in the body). */
  submit?: boolean;
  /** The unique field carrying the marker: a duplicate on it is a `conflict`, not `permanent`. */
  marker?: MarkerField;
}

export interface CallOptions {
  /** The method changes data: sent once, with the write timeout. */
  write: boolean;
  marker?: MarkerField;
}

export interface ListAllOptions extends Omit<ListOptions, 'limitStart' | 'limitPageLength'> {
  /** Rows per request. Default 500. */
  pageSize?: number;
}

export interface ClientHealth {
  instanceId: string;
  breaker: BreakerHealth;
  inFlight: InFlightStats;
  closed: boolean;
}

interface RequestSpec {
  operation: string;
  method: HttpMethod;
  path: string;
  body?: unknown;
  write: boolean;
  marker?: MarkerField;
}

type Json = Record<string, unknown>;

const DEFAULT_PAGE_SIZE = 500;
/** Doctypes whose lists never go in a URL: their names (and filters on them) are sensitive. */
const POST_ONLY_LISTS: ReadonlySet<string> = new Set(['Serial No']);

export class ErpnextClient {
  readonly instanceId: string;
  readonly #transport: HttpTransport;
  readonly #limiter: InFlightLimiter;
  readonly #breaker: InstanceBreaker;
  readonly #retry: RetryPolicy;
  readonly #logger: Logger;
  readonly #readTimeoutMs: number;
  readonly #writeTimeoutMs: number;
  readonly #maxGetTargetBytes: number;
  readonly #random: () => number;
  readonly #metrics: ErpnextMetrics | undefined;
  #closed = false;

  /** Throws ErpnextConfigError when the config cannot work (malformed base_url, bad credentials shape). */
  constructor(config: InstanceConfig, options: ErpnextClientOptions = {}) {
    const settings = resolveInstance(config);
    this.instanceId = settings.instanceId;
    this.#logger = options.logger ?? silentLogger;
    this.#readTimeoutMs = settings.limits.readTimeoutMs;
    this.#writeTimeoutMs = settings.limits.writeTimeoutMs;
    this.#maxGetTargetBytes = options.maxGetTargetBytes ?? DEFAULT_MAX_GET_TARGET_BYTES;
    this.#random = options.random ?? Math.random;
    this.#retry = { ...DEFAULT_READ_RETRY };
    for (const [key, value] of Object.entries(options.retry ?? {})) {
      if (typeof value === 'number') this.#retry[key as keyof RetryPolicy] = value;
    }
    this.#limiter = new InFlightLimiter(settings.limits.maxInFlight);
    this.#metrics = options.metrics;
    this.#breaker = new InstanceBreaker(
      settings.instanceId,
      options.breaker ?? {},
      this.#logger,
      options.onBreakerState,
    );
    this.#transport = new HttpTransport({
      origin: settings.origin,
      basePath: settings.basePath,
      apiKey: settings.apiKey,
      apiSecret: settings.apiSecret,
      connections: settings.limits.maxInFlight,
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs: options.keepAliveTimeoutMs }),
    });
  }

  /** `GET /api/resource/{doctype}/{name}`: the document with its child tables. */
  async get(doctype: string, name: string): Promise<ErpnextDoc> {
    const spec = readSpec(`get ${doctype}`, 'GET', `/api/resource/${enc(doctype)}/${enc(name)}`);
    return this.#doc(spec, await this.#request(spec), 'data');
  }

  /** A Single doctype's values: `GET /api/resource/{Single}/{Single}` (e.g. Buying Settings). */
  async getSingle(doctype: string): Promise<ErpnextDoc> {
    const spec = readSpec(`get_single ${doctype}`, 'GET', `/api/resource/${enc(doctype)}/${enc(doctype)}`);
    return this.#doc(spec, await this.#request(spec), 'data');
  }

  /**
   * One page of rows: `GET /api/resource/{doctype}` while the request target stays under the
   * limit, else `POST /api/method/frappe.client.get_list` with the arguments in the body (a read
   * all the same: retried, read timeout). Frappe's defaults apply: fields `["name"]`, 20 rows.
   * `Serial No` always goes by POST, whatever the size: serial names are sensitive, and URLs
   * land in access logs (nginx, gunicorn, proxies).
   */
  async list(doctype: string, options: ListOptions = {}): Promise<ErpnextRow[]> {
    const path = listResourcePath(doctype, options);
    const byGet =
      !POST_ONLY_LISTS.has(doctype) &&
      Buffer.byteLength(this.#transport.target(path)) <= this.#maxGetTargetBytes;
    if (byGet) {
      const spec = readSpec(`list ${doctype}`, 'GET', path);
      return this.#rows(spec, await this.#request(spec), 'data');
    }
    const spec: RequestSpec = {
      ...readSpec(`list ${doctype}`, 'POST', '/api/method/frappe.client.get_list'),
      body: listMethodBody(doctype, options),
    };
    return this.#rows(spec, await this.#request(spec), 'message');
  }

  /** Every row, page by page (ordered by `name` unless `orderBy` says otherwise, so pages do not shift). */
  async listAll(doctype: string, options: ListAllOptions = {}): Promise<ErpnextRow[]> {
    const { pageSize = DEFAULT_PAGE_SIZE, ...rest } = options;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be an integer >= 1');
    const query: ListOptions = { orderBy: 'name asc', ...rest };
    const rows: ErpnextRow[] = [];
    for (let start = 0; ; start += pageSize) {
      const page = await this.list(doctype, { ...query, limitStart: start, limitPageLength: pageSize });
      rows.push(...page);
      if (page.length < pageSize) return rows;
    }
  }

  /**
   * `POST /api/resource/{doctype}` with the document as the body; with `submit`, `docstatus: 1`
   * in the same call inserts and submits in one transaction. Never retried.
   */
  async insert(
    doctype: string,
    doc: Record<string, unknown>,
    options: InsertOptions = {},
  ): Promise<ErpnextDoc> {
    const spec = writeSpec(`insert ${doctype}`, `/api/resource/${enc(doctype)}`, options.marker);
    spec.body = options.submit ? { ...doc, docstatus: 1 } : doc;
    return this.#doc(spec, await this.#request(spec), 'data');
  }

  /**
   * `frappe.client.submit` with the whole document as read (its `modified` must match the
   * site's, else a TimestampMismatchError conflict: read it again). Never retried.
   */
  async submit(doc: ErpnextDoc): Promise<ErpnextDoc> {
    const doctype = typeof doc.doctype === 'string' ? doc.doctype : '?';
    const spec = writeSpec(`submit ${doctype}`, '/api/method/frappe.client.submit');
    if (typeof doc.doctype !== 'string' || typeof doc.modified !== 'string') {
      throw this.#refuse(spec, 'submit needs the whole document as read (with doctype, name and modified)');
    }
    spec.body = { doc };
    return this.#doc(spec, await this.#request(spec), 'message');
  }

  /** `frappe.client.cancel` (doctype, name): the cancelled document. Never retried. */
  async cancel(doctype: string, name: string): Promise<ErpnextDoc> {
    const spec = writeSpec(`cancel ${doctype}`, '/api/method/frappe.client.cancel');
    spec.body = { doctype, name };
    return this.#doc(spec, await this.#request(spec), 'message');
  }

  /**
   * `POST /api/method/{method}` with `args` as the JSON body; resolves to `message` (undefined
   * when the method returned None). Retried only when `write` is false.
   */
  async call(method: string, args: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    const spec: RequestSpec = {
      operation: `call ${method}`,
      method: 'POST',
      path: `/api/method/${method}`,
      body: args,
      write: options.write,
      ...(options.marker === undefined ? {} : { marker: options.marker }),
    };
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$/.test(method)) {
      throw this.#refuse({ ...spec, operation: 'call' }, 'a method is a dotted Python path');
    }
    return (await this.#request(spec)).message;
  }

  /** `frappe.auth.get_logged_user`: a cheap check of reachability and credentials; the API user. */
  async ping(): Promise<string> {
    const spec = readSpec('ping', 'GET', '/api/method/frappe.auth.get_logged_user');
    const json = await this.#request(spec);
    if (typeof json.message !== 'string') throw this.#badResponse(spec, json);
    return json.message;
  }

  health(): ClientHealth {
    return {
      instanceId: this.instanceId,
      breaker: this.#breaker.health(),
      inFlight: this.#limiter.stats(),
      closed: this.#closed,
    };
  }

  /** Refuses new calls, rejects the queued ones, lets those under way finish, closes the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#limiter.close(this.#closedError('(queued)'));
    await this.#transport.close();
    this.#breaker.shutdown();
  }

  async #request(spec: RequestSpec): Promise<Json> {
    if (this.#closed) throw this.#closedError(spec.operation);
    if (spec.write) return this.#attempt(spec);
    return withRetry(() => this.#attempt(spec), this.#retry, {
      random: this.#random,
      onRetry: (error, attempt, delayMs) =>
        this.#logger.warn(
          { ...about(error), attempt, delayMs },
          `erpnext ${spec.operation}: ${error.reason}, retrying`,
        ),
    });
  }

  async #attempt(spec: RequestSpec): Promise<Json> {
    try {
      // An open breaker refuses at once, without taking (or waiting for) an in-flight slot.
      if (this.#breaker.refusing) throw this.#breaker.openError(spec.operation);
      return await this.#limiter.run(() => this.#breaker.run(spec.operation, () => this.#exchange(spec)));
    } catch (error) {
      // A call the breaker refused never reached #exchange: counted as a failure, not timed.
      if (error instanceof ErpnextError && error.reason === 'breaker_open') {
        this.#record(spec, undefined, error);
      }
      throw error;
    }
  }

  async #exchange(spec: RequestSpec): Promise<Json> {
    const context = this.#context(spec);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let answer: Awaited<ReturnType<HttpTransport['send']>>;
    try {
      answer = await this.#transport.send({
        method: spec.method,
        path: spec.path,
        body: spec.body,
        timeoutMs: spec.write ? this.#writeTimeoutMs : this.#readTimeoutMs,
      });
    } catch (error) {
      const failure = this.#failed(classify({ type: 'failure', error }, context));
      this.#record(spec, seconds(), failure);
      throw failure;
    }
    if (answer.status >= 200 && answer.status < 300) {
      const json = parseObject(answer.text);
      if (json !== undefined) {
        this.#record(spec, seconds(), undefined, answer.status);
        return json;
      }
    }
    const failure = this.#failed(
      classify(
        { type: 'response', status: answer.status, headers: answer.headers, body: answer.text },
        context,
      ),
    );
    this.#record(spec, seconds(), failure, answer.status);
    throw failure;
  }

  /**
   * One request in the metrics: `status` is the HTTP status when there was an answer, else the
   * error's reason (network, timeout, breaker_open, client_error); a failure is also counted by
   * kind and reason. Timed (`seconds`) only when it reached the transport: a refusal by the open
   * breaker is a failure without a duration, which would only crowd the lowest bucket. Labels are
   * bounded: the instance id, the method and the operation's verb.
   */
  #record(
    spec: RequestSpec,
    seconds: number | undefined,
    error: ErpnextError | undefined,
    httpStatus?: number,
  ): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    const status = statusLabel(httpStatus, error);
    const instance = this.instanceId;
    if (seconds !== undefined) {
      metrics.erpnextRequest(
        { instance, method: spec.method, operation: operationLabel(spec.operation), status },
        seconds,
      );
    }
    if (error !== undefined) {
      metrics.erpnextError({ instance, status, kind: error.kind, reason: error.reason });
    }
  }

  #context(spec: RequestSpec): ClassifyContext {
    return {
      instanceId: this.instanceId,
      operation: spec.operation,
      write: spec.write,
      ...(spec.marker === undefined ? {} : { marker: spec.marker }),
    };
  }

  #failed(error: ErpnextError): ErpnextError {
    this.#logger.debug(about(error), `erpnext ${error.operation} failed`);
    return error;
  }

  /** `json[key]` as a document (an object with a string `name`). */
  #doc(spec: RequestSpec, json: Json, key: 'data' | 'message'): ErpnextDoc {
    const value = json[key];
    if (isObject(value) && typeof value.name === 'string') return value as ErpnextDoc;
    throw this.#badResponse(spec, json);
  }

  #rows(spec: RequestSpec, json: Json, key: 'data' | 'message'): ErpnextRow[] {
    const value = json[key] ?? (key === 'message' ? [] : undefined);
    if (Array.isArray(value) && value.every(isObject)) return value;
    throw this.#badResponse(spec, json);
  }

  /** A 200 whose JSON is not what the operation answers. */
  #badResponse(spec: RequestSpec, json: Json): ErpnextError {
    return this.#failed(
      classify(
        { type: 'response', status: 200, body: `unexpected answer (keys: ${Object.keys(json).join(', ')})` },
        this.#context(spec),
      ),
    );
  }

  /** A call refused before sending (a bug on the caller's side). */
  #refuse(spec: RequestSpec, why: string): ErpnextError {
    return classify({ type: 'failure', error: new TypeError(why) }, { ...this.#context(spec), write: false });
  }

  #closedError(operation: string): ErpnextError {
    return classify(
      { type: 'failure', error: new Error('the client is closed') },
      { instanceId: this.instanceId, operation },
    );
  }
}

function readSpec(operation: string, method: HttpMethod, path: string): RequestSpec {
  return { operation, method, path, write: false };
}

function writeSpec(operation: string, path: string, marker?: MarkerField): RequestSpec {
  return { operation, method: 'POST', path, write: true, ...(marker === undefined ? {} : { marker }) };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** What the client logs of an error: never `messages`, `exception` or `detail` (ERPNext's words). */
function about(error: ErpnextError): Record<string, unknown> {
  const out: Record<string, unknown> = {
    instance: error.instanceId,
    operation: error.operation,
    kind: error.kind,
    reason: error.reason,
  };
  if (error.status !== undefined) out.status = error.status;
  if (error.excType !== undefined) out.excType = error.excType;
  if (error.retryAfterMs !== undefined) out.retryAfterMs = error.retryAfterMs;
  return out;
}

function parseObject(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
