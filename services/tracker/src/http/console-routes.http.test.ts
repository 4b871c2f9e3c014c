import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '@interco/auth';
import { createApiApp, routeTable } from '@interco/http';
import { fixedTokens, silentLogger } from '@interco/http/test-support';
import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_NOT_BUILT, consoleCsp, registerConsoleRoutes } from './console-routes.js';
import { registerWhoAmIRoute } from './whoami-route.js';

const writer: Principal = { tokenId: 'abcdefgh2345', name: 'ops-desk', scopes: ['transfers:write'] };
const tokens = fixedTokens({ ick_writer: writer });

const INTAKE = 'http://127.0.0.1:8080';
const CSP = `default-src 'self'; connect-src 'self' ${INTAKE}; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'`;
const INDEX = '<!doctype html><title>Interco</title><script type="module" src="main.js"></script>';

let root: string;
let app: FastifyInstance;
let unbuilt: FastifyInstance;
let base: string;
let unbuiltBase: string;

async function build(publicDir: string, scriptsDir: string, intakeUrl: string): Promise<FastifyInstance> {
  const built = await createApiApp({
    logger: silentLogger,
    tokens,
    openapi: { title: 'tracker', description: 'test', version: '1.0.0' },
    health: { readiness: () => ({ ok: true }) },
  });
  registerWhoAmIRoute(built);
  registerConsoleRoutes(built, { publicDir, scriptsDir, intakeUrl });
  await built.listen({ host: '127.0.0.1', port: 0 });
  return built;
}

const urlOf = (built: FastifyInstance) => `http://127.0.0.1:${(built.server.address() as AddressInfo).port}`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'interco-console-'));
  const publicDir = join(root, 'console', 'public');
  const scriptsDir = join(root, 'console', 'dist');
  await mkdir(join(publicDir, 'img'), { recursive: true });
  await mkdir(join(scriptsDir, 'pages'), { recursive: true });
  await writeFile(join(publicDir, 'index.html'), INDEX);
  await writeFile(join(publicDir, 'styles.css'), 'body { color: black }');
  await writeFile(join(publicDir, 'img', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(publicDir, 'notes.md'), '# not served');
  await writeFile(join(scriptsDir, 'main.js'), 'export const x = 1;');
  await writeFile(join(scriptsDir, 'main.js.map'), '{"version":3}');
  await writeFile(join(scriptsDir, 'pages', 'list.js'), 'export const y = 2;');
  await writeFile(join(root, 'console', 'secret.js'), 'outside');
  await writeFile(join(root, 'secret.txt'), 'outside');
  app = await build(publicDir, scriptsDir, INTAKE);
  base = urlOf(app);
  unbuilt = await build(join(root, 'nothing', 'public'), join(root, 'nothing', 'dist'), '');
  unbuiltBase = urlOf(unbuilt);
});

afterAll(async () => {
  await app?.close();
  await unbuilt?.close();
  await rm(root, { recursive: true, force: true });
});

/** A raw request: the path is sent as written (no URL normalisation of `..` by the client). */
async function get(
  path: string,
  options: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {},
) {
  const answer = await httpRequest(`${base}${path}`, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
  });
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: answer.headers, text };
}

describe('the console files', () => {
  it('serves index.html at /console/ with the CSP, the security headers and no-cache', async () => {
    const index = await get('/console/');
    expect(index.status).toBe(200);
    expect(index.text).toBe(INDEX);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toBe(CSP);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(index.headers['x-frame-options']).toBe('DENY');
  });

  it('redirects /console to /console/, keeping the query', async () => {
    const bare = await get('/console');
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/console/');
    const withQuery = await get('/console?lang=en');
    expect(withQuery.headers.location).toBe('/console/?lang=en');
  });

  it('serves modules from the scripts and other files from public, each with its content type', async () => {
    const cases: [string, string, string][] = [
      ['/console/main.js', 'text/javascript; charset=utf-8', 'export const x = 1;'],
      ['/console/main.js.map', 'application/json; charset=utf-8', '{"version":3}'],
      ['/console/pages/list.js', 'text/javascript; charset=utf-8', 'export const y = 2;'],
      ['/console/styles.css', 'text/css; charset=utf-8', 'body { color: black }'],
      ['/console/img/logo.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
      ['/console/index.html', 'text/html; charset=utf-8', INDEX],
    ];
    for (const [path, type, body] of cases) {
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      expect(answer.headers['content-type'], path).toBe(type);
      expect(answer.text, path).toBe(body);
      expect(answer.headers['content-security-policy'], path).toBe(CSP);
      expect(answer.headers['x-content-type-options'], path).toBe('nosniff');
    }
  });

  it('answers HEAD without a body, and 304 to a matching If-None-Match', async () => {
    const head = await get('/console/main.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const first = await get('/console/main.js');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const again = await get('/console/main.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('lists no directory and serves nothing outside its two folders (404)', async () => {
    for (const path of [
      '/console/img',
      '/console/img/',
      '/console/pages/',
      '/console/../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/%2E%2E/%2e%2e/secret.txt',
      '/console/..%2fsecret.js',
      '/console/..%2Fsecret.js',
      '/console/%2e%2e%2fsecret.js',
      '/console/..%5csecret.js',
      '/console/pages/..%2f..%2fsecret.js',
      '/console//etc/passwd',
      '/console/%2fetc%2fpasswd',
      `/console/${encodeURIComponent(join(root, 'secret.txt'))}`,
      '/console/.hidden.js',
      '/console/notes.md',
      '/console/missing.js',
      '/console/main.js%00.css',
    ]) {
      const answer = await get(path);
      expect([400, 404], path).toContain(answer.status);
      expect(answer.text, path).not.toContain('outside');
      if (answer.status === 404) expect(answer.headers['content-type'], path).toMatch(/^application\/json/);
    }
    const missing = await get('/console/missing.js');
    expect(JSON.parse(missing.text)).toEqual({ error: 'not_found', message: 'the console has no such file' });
    expect(missing.headers['content-security-policy']).toBe(CSP);
  });

  it('answers 503 with a clear message when the console was not built, not 500', async () => {
    for (const path of ['/console/', '/console/main.js', '/console/styles.css']) {
      const answer = await httpRequest(`${unbuiltBase}${path}`);
      expect(answer.statusCode, path).toBe(503);
      const body = (await answer.body.json()) as { error: string; message: string };
      expect(body.error).toBe(CONSOLE_NOT_BUILT);
      expect(body.message).toContain('not built');
    }
  });

  it('needs no token, and is not in the OpenAPI document but for config.json', async () => {
    const open = routeTable(app)
      .filter((route) => route.url.startsWith('/console'))
      .map((route) => [`${route.method} ${route.url}`, route.auth]);
    expect(open).toEqual(
      ['/console', '/console/config.json', '/console/', '/console/*'].flatMap((url) => [
        [`GET ${url}`, 'public'],
        [`HEAD ${url}`, 'public'],
      ]),
    );
    const document = JSON.parse((await get('/openapi.json')).text) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/console'))).toEqual([
      '/console/config.json',
    ]);
    expect(Object.keys(document.paths)).toContain('/v1/auth/whoami');
  });
});

describe('GET /console/config.json', () => {
  it('names the intake URL, "" when unset, never cached', async () => {
    const answer = await get('/console/config.json');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ intake_url: INTAKE });
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['content-security-policy']).toBe(CSP);
    const same = await httpRequest(`${unbuiltBase}/console/config.json`);
    expect(await same.body.json()).toEqual({ intake_url: '' });
    expect(same.headers['content-security-policy']).toBe(consoleCsp(''));
    expect(consoleCsp('')).toContain("connect-src 'self';");
  });
});

describe('GET /v1/auth/whoami', () => {
  it('answers any valid token its name and scopes, never its id', async () => {
    const answer = await get('/v1/auth/whoami', { headers: { authorization: 'Bearer ick_writer' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ name: 'ops-desk', scopes: ['transfers:write'] });
    expect(answer.text).not.toContain(writer.tokenId);
  });

  it('answers 401 without a valid token', async () => {
    for (const headers of [{}, { authorization: 'Bearer ick_nope' }]) {
      const answer = await get('/v1/auth/whoami', { headers });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text)).toMatchObject({ error: 'unauthorized' });
    }
  });
});
