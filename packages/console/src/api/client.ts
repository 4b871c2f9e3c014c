import type { ErrorBody } from './types.js';

/**
 * Calls to the tracker (same origin, relative to the console's URL) and to intake (the URL of
 * /console/config.json), with the token as a Bearer header. Answers are values: `ok` with the
 * body, or a failure with the API's error body (status 0: the server could not be reached).
 * The token lives in the client object only (the session holds it in memory); it is never
 * logged nor put in a URL.
 */

export interface ApiFailure {
  /** The HTTP status; 0 when no answer came (network, CORS, aborted). */
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly problems: readonly { readonly path: string; readonly message: string }[];
}

export type ApiResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: ApiFailure };

export type Service = 'tracker' | 'intake';

/** `path` (starting with `/v1/`) on a base URL; the base's own path is kept (`https://h/api/` + `/v1/x`). */
export function apiUrl(base: string, path: string, query?: string): string {
  const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
  if (query !== undefined && query !== '') url.search = query;
  return url.toString();
}

/** The error body of a failed answer, whatever the server sent. */
export async function failureOf(response: Response): Promise<ApiFailure> {
  let body: Partial<ErrorBody> = {};
  try {
    const parsed: unknown = await response.json();
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Partial<ErrorBody>;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  return {
    status: response.status,
    code: typeof body.error === 'string' ? body.error : `http_${response.status}`,
    message:
      typeof body.message === 'string' ? body.message : response.statusText || `HTTP ${response.status}`,
    problems: Array.isArray(body.problems)
      ? body.problems.filter(
          (problem): problem is { path: string; message: string } =>
            typeof problem?.path === 'string' && typeof problem.message === 'string',
        )
      : [],
  };
}

export function networkFailure(error: unknown): ApiFailure {
  const aborted = error instanceof DOMException && error.name === 'AbortError';
  return {
    status: 0,
    code: aborted ? 'aborted' : 'network',
    message: error instanceof Error ? error.message : String(error),
    problems: [],
  };
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly query?: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Extra headers (e.g. Last-Event-ID). */
  readonly headers?: Readonly<Record<string, string>>;
}

export class ApiClient {
  readonly #token: string;
  readonly #bases: Readonly<Record<Service, string>>;
  /** Called on a 401 (the token was revoked meanwhile): the app signs out. */
  onUnauthorized: (() => void) | undefined;

  constructor(token: string, trackerBase: string, intakeBase: string) {
    this.#token = token;
    this.#bases = { tracker: trackerBase, intake: intakeBase };
  }

  url(service: Service, path: string, query?: string): string {
    return apiUrl(this.#bases[service], path, query);
  }

  /** The raw response (the live stream reads its body). */
  async fetch(service: Service, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.#token}`,
      ...options.headers,
    };
    const init: RequestInit = {
      method: options.method ?? 'GET',
      headers,
      credentials: 'omit',
      cache: 'no-store',
    };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    if (options.signal !== undefined) init.signal = options.signal;
    return fetch(this.url(service, path, options.query), init);
  }

  async request<T>(service: Service, path: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await this.fetch(service, path, options);
    } catch (error) {
      return { ok: false, failure: networkFailure(error) };
    }
    if (!response.ok) {
      const failure = await failureOf(response);
      if (response.status === 401) this.onUnauthorized?.();
      return { ok: false, failure };
    }
    if (response.status === 204) return { ok: true, value: undefined as T };
    try {
      return { ok: true, value: (await response.json()) as T };
    } catch (error) {
      return { ok: false, failure: { ...networkFailure(error), status: response.status, code: 'bad_json' } };
    }
  }
}
