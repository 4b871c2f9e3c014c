import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsSource } from '@interco/metrics';
import type { Logger } from '../logging/logger.js';

/** One condition of readiness (connected to NATS, consumer running, not draining...). */
export interface ReadyCheck {
  name: string;
  check(): boolean | Promise<boolean>;
}

export interface HealthServerOptions {
  host: string;
  /** 0: any free port (the answer says which). */
  port: number;
  checks: readonly ReadyCheck[];
  logger: Logger;
  /** A check that has not answered after this long counts as not ready (default 5 s). */
  checkTimeoutMs?: number;
  /** Serves `GET /metrics` (the Prometheus exposition) when given, e.g. a ServiceMetrics. */
  metrics?: MetricsSource;
}

export interface HealthServer {
  /** `http://host:port`, with a loopback host when listening on every address. */
  url: string;
  port: number;
  /** Stops listening and closes idle keep-alive connections; idempotent. */
  close(): Promise<void>;
}

/**
 * A small HTTP server for the orchestrator's probes:
 * - `GET /healthz`: 200 `{"status":"ok"}` while the process runs;
 * - `GET /readyz`: runs every check (at once); 200 `{"ready":true,"checks":{...}}` when all are
 *   true, else 503 `{"ready":false,"checks":{...}}`; a check that throws or times out is false;
 * - `GET /metrics`, when `options.metrics` is given: the Prometheus text exposition (no auth, like
 *   the probes; what it carries is bounded label values, never a secret or a serial);
 * - HEAD is answered like GET without a body, another method on these paths gets 405, any other
 *   path 404, in JSON.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { logger } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? 5_000;
  let lastReady: boolean | undefined;

  async function readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const results = await Promise.all(
      options.checks.map(
        async (check) => [check.name, await runCheck(check, checkTimeoutMs, logger)] as const,
      ),
    );
    const checks = Object.fromEntries(results);
    const ready = results.every(([, ok]) => ok);
    if (ready !== lastReady) {
      if (ready) logger.info({ checks }, 'ready');
      else logger.warn({ checks }, 'not ready');
      lastReady = ready;
    }
    return { ready, checks };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    const metrics = options.metrics;
    if (path !== '/healthz' && path !== '/readyz' && (path !== '/metrics' || metrics === undefined)) {
      send(request, response, 404, { error: 'not found' });
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(request, response, 405, { error: 'method not allowed' });
      return;
    }
    if (path === '/healthz') {
      send(request, response, 200, { status: 'ok' });
      return;
    }
    if (path === '/metrics' && metrics !== undefined) {
      const exposition = await metrics.render();
      sendText(request, response, 200, exposition.contentType, exposition.body);
      return;
    }
    const result = await readiness();
    send(request, response, result.ready ? 200 : 503, result);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'health server could not answer');
      if (!response.headersSent) send(request, response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'health server error'));

  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(options.host)}:${port}`;
  logger.info({ url }, 'health server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

async function runCheck(check: ReadyCheck, timeoutMs: number, logger: Logger): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      logger.warn({ check: check.name, timeout_ms: timeoutMs }, 'readiness check timed out');
      resolve(false);
    }, timeoutMs);
  });
  try {
    return (await Promise.race([Promise.resolve().then(() => check.check()), timeout])) === true;
  } catch (error) {
    logger.warn({ check: check.name, err: error }, 'readiness check failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function send(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
  sendText(request, response, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendText(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  contentType: string,
  text: string,
): void {
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : text);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
