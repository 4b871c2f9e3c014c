import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerEngineAnswers } from './docker.js';
import { freePort } from './free-port.js';

describe('dockerEngineAnswers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'testkit-docker-'));
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await rm(dir, { recursive: true, force: true });
  });

  async function fakeEngine(
    name: string,
    handle: (path: string | undefined) => number | 'hang',
  ): Promise<string> {
    const socketPath = join(dir, name);
    const server = createServer((req, res) => {
      const status = handle(req.url);
      if (status === 'hang') return;
      res.writeHead(status).end('OK');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return `unix://${socketPath}`;
  }

  it('is true when GET /_ping answers 200 on DOCKER_HOST', async () => {
    const dockerHost = await fakeEngine('ok.sock', (path) => (path === '/_ping' ? 200 : 404));
    expect(await dockerEngineAnswers({ DOCKER_HOST: dockerHost })).toBe(true);
  });

  it('is false when the engine answers something else', async () => {
    const dockerHost = await fakeEngine('broken.sock', () => 500);
    expect(await dockerEngineAnswers({ DOCKER_HOST: dockerHost })).toBe(false);
  });

  it('is false, within the time limit, when the engine does not answer', async () => {
    const dockerHost = await fakeEngine('hung.sock', () => 'hang');
    const started = Date.now();
    expect(await dockerEngineAnswers({ DOCKER_HOST: dockerHost }, 200)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('is false when the socket does not exist or nothing listens on the TCP port', async () => {
    expect(await dockerEngineAnswers({ DOCKER_HOST: `unix://${join(dir, 'missing.sock')}` })).toBe(false);
    expect(await dockerEngineAnswers({ DOCKER_HOST: `tcp://127.0.0.1:${await freePort()}` })).toBe(false);
  });
});
