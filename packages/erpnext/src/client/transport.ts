/**
 * HTTP to one ERPNext site: one undici Pool (keep-alive connections, at most as many as the
 * instance's in-flight cap), `Authorization: token key:secret` on every request, JSON in and
 * out, and a timeout per request (headers and body, each). It returns whatever answer came and
 * throws only when no answer came (undici's and the system's errors, untouched): deciding what
 * an answer means is classify()'s job. The secret lives in a private field and is never logged
 * or put in an error.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path and query below the site's base path, already encoded: `/api/resource/Item?fields=...`. */
  path: string;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Give up when the headers, or the next chunk of the body, take longer than this (ms). */
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface TransportOptions {
  origin: string;
  basePath: string;
  apiKey: string;
  apiSecret: string;
  /** Connections in the pool (the in-flight cap). */
  connections: number;
  /** TCP/TLS connect timeout (ms). Default 10,000. */
  connectTimeoutMs?: number;
  /** How long an idle connection is kept (ms); undici honours a shorter server hint. Default 4,000. */
  keepAliveTimeoutMs?: number;
}

export class HttpTransport {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #authorization: string;

  constructor(options: TransportOptions) {
    this.#basePath = options.basePath;
    this.#authorization = `token ${options.apiKey}:${options.apiSecret}`;
    this.#pool = new Pool(options.origin, {
      connections: options.connections,
      pipelining: 1,
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
    });
  }

  /** The request line's target for `path`: what gunicorn measures against its 4,094-byte limit. */
  target(path: string): string {
    return `${this.#basePath}${path}`;
  }

  async send(request: HttpRequest): Promise<HttpAnswer> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: this.#authorization,
    };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    const response = await this.#pool.request({
      method: request.method,
      path: this.target(request.path),
      headers,
      ...(body === undefined ? {} : { body }),
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    });
    const text = await response.body.text();
    return { status: response.statusCode, headers: response.headers, text };
  }

  /** Lets requests under way finish, then closes the connections. */
  async close(): Promise<void> {
    if (!this.#pool.closed) await this.#pool.close();
  }

  /** Keeps the authorization header out of console.log / util.inspect. */
  toJSON(): Record<string, unknown> {
    return { basePath: this.#basePath };
  }
}
