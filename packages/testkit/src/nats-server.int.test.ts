import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalNatsServer } from './nats-server.js';

// A fault test: this file runs its own nats-server, takes it away and brings it back.
describe('LocalNatsServer', () => {
  let server: LocalNatsServer;
  beforeAll(async () => {
    server = await LocalNatsServer.start();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('keeps JetStream file storage and its URL across stop() and restart()', async () => {
    const url = server.url;
    const port = server.port;
    expect(url).toBe(`nats://127.0.0.1:${port}`);

    const nc = await connect({ servers: url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], storage: 'file' });
    const js = jsm.jetstream();
    for (const n of [1, 2, 3]) await js.publish('orders.created', `order ${n}`);
    expect((await jsm.streams.info('ORDERS')).state.messages).toBe(3);
    await nc.close();

    await server.stop();
    expect(server.running).toBe(false);
    await expect(connect({ servers: url, timeout: 1_000, reconnect: false })).rejects.toThrow();

    await server.restart();
    expect(server.running).toBe(true);
    expect(server.url).toBe(url);
    expect(server.port).toBe(port);

    const again = await connect({ servers: url });
    try {
      const jsmAgain = await jetstreamManager(again);
      const info = await jsmAgain.streams.info('ORDERS');
      expect(info.config.storage).toBe('file');
      expect(info.state.messages).toBe(3);
      const third = await jsmAgain.streams.getMessage('ORDERS', { seq: 3 });
      expect(third?.string()).toBe('order 3');
    } finally {
      await again.close();
    }
  });

  it('reports its version and deletes its temporary store on dispose()', async () => {
    const other = await LocalNatsServer.start();
    expect(other.version).toMatch(/^2\.(1[1-9]|[2-9]\d)\.\d+$/);
    expect(other.port).not.toBe(server.port);
    expect(existsSync(other.storeDir)).toBe(true);
    await other.dispose();
    expect(existsSync(other.storeDir)).toBe(false);
    await expect(connect({ servers: other.url, timeout: 1_000, reconnect: false })).rejects.toThrow();
  });

  it('streams its output to outputFile while it runs, and answers its pid while it runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'testkit-nats-log-'));
    const outputFile = join(dir, 'nats.log');
    const other = await LocalNatsServer.start({ outputFile });
    try {
      const pid = other.pid;
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid ?? 0, 0)).not.toThrow();
      // Written as it comes, not at stop: the startup banner arrives while the server runs.
      let text = '';
      for (let tries = 0; tries < 50 && !text.includes('Server is ready'); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        text = await readFile(outputFile, 'utf8').catch(() => '');
      }
      expect(text).toContain('Server is ready');
      expect(other.running).toBe(true);
      expect(other.output()).toContain('Server is ready');
    } finally {
      await other.dispose();
      await rm(dir, { recursive: true, force: true });
    }
    expect(other.pid).toBeUndefined();
  });
});
