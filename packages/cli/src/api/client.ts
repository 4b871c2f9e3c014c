/**
 * The HTTP client of intake and the tracker (undici): bearer token, JSON bodies, answers checked
 * against the CLI's schemas, and every way a call can fail turned into a CliFailure with its kind
 * (the status's, or `unreachable`). The token is read lazily (commands' --help never needs one) and
 * never appears in a message.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { type Dispatcher, request } from 'undici';
import { CliFailure, failureKindOfStatus } from '../failure.js';
import { checkAnswer, fits } from './check-answer.js';
import { ErrorAnswer } from './schemas.js';

export type Service = 'intake' | 'tracker';

export interface ApiClientOptions {
  readonly urls: Readonly<Record<Service, string>>;
  /** The API token (called at the first request; may throw a usage failure: no token configured). */
  readonly token: () => Promise<string>;
  /** Most time to wait for an answer's headers and between body chunks (default 60 s). */
  readonly timeoutMs?: number;
  readonly dispatcher?: Dispatcher;
}

export interface CallOptions {
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A success: the HTTP status and the answer (checked), or undefined for an empty body (204). */
export interface Answered<T> {
  readonly status: number;
  readonly body: T;
}

export interface StreamResponse {
  readonly status: number;
  readonly body: AsyncIterable<Buffer | string>;
  /** Ends the stream (aborts the request). */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** A stream's idle timeout: the tracker sends a comment every 15 s, so 45 s of silence is a dead link. */
export const STREAM_IDLE_TIMEOUT_MS = 45_000;

export class ApiClient {
  #token: Promise<string> | undefined;

  constructor(private readonly options: ApiClientOptions) {}

  url(service: Service, path: string, query?: CallOptions['query']): string {
    const base = this.options.urls[service].replace(/\/+$/, '');
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, value);
    const text = search.toString();
    return `${base}${path}${text === '' ? '' : `?${text}`}`;
  }

  async #headers(options: CallOptions): Promise<Record<string, string>> {
    this.#token ??= this.options.token();
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${await this.#token}`,
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return headers;
  }

  /**
   * Calls a route and checks a success against `schema` (null: the body is not read, e.g. 204).
   * Any other status throws its CliFailure with the API's message and problems.
   */
  async call<T extends TSchema>(
    service: Service,
    method: Dispatcher.HttpMethod,
    path: string,
    schema: T,
    options?: CallOptions,
  ): Promise<Answered<Static<T>>>;
  async call(
    service: Service,
    method: Dispatcher.HttpMethod,
    path: string,
    schema: null,
    options?: CallOptions,
  ): Promise<Answered<undefined>>;
  async call<T extends TSchema>(
    service: Service,
    method: Dispatcher.HttpMethod,
    path: string,
    schema: T | null,
    options: CallOptions = {},
  ): Promise<Answered<Static<T> | undefined>> {
    const url = this.url(service, path, options.query);
    const what = `${service}'s answer to ${method} ${path}`;
    const timeout = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method,
        headers: await this.#headers(options),
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(this.options.dispatcher === undefined ? {} : { dispatcher: this.options.dispatcher }),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (error) {
      throw this.#unreachable(service, error, options.signal);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.#unreachable(service, error, options.signal);
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      if (schema === null || text === '') {
        if (schema !== null) throw new CliFailure('unexpected', `${what} is empty (status ${status})`);
        return { status, body: undefined };
      }
      return { status, body: checkAnswer(schema, parseJson(text, what), what) };
    }
    throw errorFailure(service, status, text, retryAfterOf(response.headers));
  }

  /** Opens a stream (server-sent events); a status other than 200 throws as `call` does. */
  async stream(
    service: Service,
    path: string,
    options: CallOptions & { readonly lastEventId?: string | undefined },
  ): Promise<StreamResponse> {
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const headers = await this.#headers(options);
    headers.accept = 'text/event-stream';
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(this.url(service, path, options.query), {
        method: 'GET',
        headers,
        signal: abort.signal,
        ...(this.options.dispatcher === undefined ? {} : { dispatcher: this.options.dispatcher }),
        headersTimeout: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        bodyTimeout: STREAM_IDLE_TIMEOUT_MS,
      });
    } catch (error) {
      options.signal?.removeEventListener('abort', onAbort);
      throw this.#unreachable(service, error, options.signal);
    }
    if (response.statusCode !== 200) {
      const text = await response.body.text().catch(() => '');
      options.signal?.removeEventListener('abort', onAbort);
      throw errorFailure(service, response.statusCode, text, retryAfterOf(response.headers));
    }
    return {
      status: response.statusCode,
      body: response.body,
      close: () => {
        options.signal?.removeEventListener('abort', onAbort);
        abort.abort();
        response.body.destroy();
      },
    };
  }

  /** A call that failed without an answer; the abort itself when the command was interrupted. */
  #unreachable(service: Service, error: unknown, signal?: AbortSignal): unknown {
    if (error instanceof CliFailure) return error;
    if (signal?.aborted === true) return signal.reason;
    return new CliFailure(
      'unreachable',
      `${service} at ${this.options.urls[service]} could not be reached: ${causeOf(error)}`,
    );
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliFailure('unexpected', `${what} is not JSON: is the URL right?`);
  }
}

function retryAfterOf(headers: Dispatcher.ResponseData['headers']): string | undefined {
  const value = headers['retry-after'];
  return Array.isArray(value) ? value[0] : value;
}

/** An error status as a failure: the API's message, code and problems (its body kept for --json). */
export function errorFailure(
  service: Service,
  status: number,
  text: string,
  retryAfter?: string,
): CliFailure {
  const kind = failureKindOfStatus(status);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const retry = retryAfter === undefined ? '' : ` (try again in ${retryAfter} s)`;
  if (fits(ErrorAnswer, body)) {
    return new CliFailure(kind, `${body.message}${retry}`, {
      status,
      code: body.error,
      ...(body.problems === undefined ? {} : { problems: body.problems }),
      body,
    });
  }
  // The status is printed after the message (with the API's code when there is one), not in it.
  return new CliFailure(kind, `${service} answered without an error body${retry}`, { status });
}

/** The network error's cause in a few words (code and message; undici nests the real one). */
export function causeOf(error: unknown): string {
  const seen: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    const text =
      typeof code === 'string' && !current.message.includes(code)
        ? `${code} ${current.message}`
        : current.message;
    if (text !== '' && !seen.includes(text)) seen.push(text);
    current = (current as { cause?: unknown }).cause;
  }
  return seen.length === 0 ? String(error) : seen.join(': ');
}
