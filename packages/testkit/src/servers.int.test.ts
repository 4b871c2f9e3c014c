import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { LocalNatsServer } from './nats-server.js';
import { startMongo, startNats } from './servers.js';
import { mongoUrl } from './vitest/index.js';

// The choice order, without Docker: a URL variable wins; else a local binary.
const noDocker = { ...process.env, NATS_URL: '', MONGODB_URL: '', INTERCO_TESTKIT_NO_DOCKER: '1' };

describe('startNats / startMongo', () => {
  let own: LocalNatsServer;
  beforeAll(async () => {
    own = await LocalNatsServer.start();
  });
  afterAll(async () => {
    await own?.dispose();
  });

  it('uses NATS_URL as given, asks it for its version, and leaves it running on stop()', async () => {
    const server = await startNats({ ...noDocker, NATS_URL: own.url });
    expect(server).toMatchObject({ kind: 'env', name: 'nats-server', url: own.url, origin: 'NATS_URL' });
    expect(server.version).toBe(own.version);
    await server.stop();
    expect(own.running).toBe(true);
  });

  it('says which NATS_URL does not answer', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    await expect(startNats({ ...noDocker, NATS_URL: url })).rejects.toThrow(
      `cannot talk to the nats-server at ${url} (NATS_URL)`,
    );
  });

  it('uses MONGODB_URL as given and asks it what it is', async () => {
    const server = await startMongo({ ...noDocker, MONGODB_URL: mongoUrl() });
    expect(server).toMatchObject({ kind: 'env', url: mongoUrl(), origin: 'MONGODB_URL' });
    expect(['FerretDB', 'MongoDB']).toContain(server.name);
    await server.stop();
  });

  it('starts local binaries when no URL is set and Docker is off, and stop() removes them', async () => {
    const [nats, mongo] = await Promise.all([startNats(noDocker), startMongo(noDocker)]);
    try {
      expect(nats).toMatchObject({ kind: 'local', name: 'nats-server' });
      expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
      expect(nats.origin).toMatch(/^local binary .*nats-server$/);
      expect(mongo).toMatchObject({ kind: 'local', name: 'FerretDB' });
      expect(mongo.version).toMatch(/^v\d+\.\d+\.\d+/);
      expect(mongo.emulates).toMatch(/^\d+\.\d+/);
    } finally {
      await Promise.all([nats.stop(), mongo.stop()]);
    }
    await expect(startNats({ ...noDocker, NATS_URL: nats.url })).rejects.toThrow(
      /cannot talk to the nats-server/,
    );
  });
});
