import { LocalNatsServer } from '@interco/testkit';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from './connect.js';
import { trackConnection } from './connection-state.js';

// A nats-server of its own: the test takes it away and brings it back.
let server: LocalNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await LocalNatsServer.start();
  nc = await connectNats({ url: server.url, name: 'connection-state-int-test' });
});
afterAll(async () => {
  await nc?.close().catch(() => undefined);
  await server?.dispose();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('trackConnection', () => {
  it('says disconnected while the server is away, connected once the client is back, and not after close', async () => {
    const state = trackConnection(nc);
    expect(state.connected()).toBe(true);
    await server.stop();
    await until(() => !state.connected(), 'disconnected');
    await server.restart();
    await until(() => state.connected(), 'reconnected');
    state.stop();
    await nc.close();
    expect(state.connected()).toBe(false);
  }, 30_000);
});
