import { newTransferId } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { LocalNatsServer } from '@interco/testkit';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { SerialDigester } from './serial-digest.js';
import { SerialReservations } from './serial-reservations.js';

// Reserving and releasing the serials of one large transfer against a local nats-server (started
// here from the local binary, file storage): the hz column is transfers per second.
const COUNT = 100_000;
const digester = SerialDigester.fromSecretBox(SecretBox.fromKeyText(SecretBox.generateKeyText()));
const keys = Array.from({ length: COUNT }, (_, i) => digester.digest(`BENCH-${i}`));

let server: LocalNatsServer;
let nc: NatsConnection;
let reservations: SerialReservations;

beforeAll(async () => {
  server = await LocalNatsServer.start();
  nc = await connectNats({ url: server.url, name: 'serial-reservations-bench' });
  reservations = await SerialReservations.open(nc, busNames('bench'), { holderState: async () => 'active' });
});
afterAll(async () => {
  await nc?.close();
  await server?.dispose();
});

describe(`serial reservations (${COUNT.toLocaleString('en')} serials)`, () => {
  bench(
    'reserve then release (keys free or released before)',
    async () => {
      const transferId = newTransferId();
      const result = await reservations.reserve(transferId, keys);
      if (!result.ok) throw new Error(`${result.conflicts.length} conflicts`);
      const released = await reservations.release(transferId, keys);
      if (released !== COUNT) throw new Error(`released ${released}`);
    },
    { iterations: 3, time: 0, warmupIterations: 0, warmupTime: 0 },
  );

  bench(
    'reserve refused (every key held by another transfer)',
    async () => {
      const holder = newTransferId();
      await reservations.reserve(holder, keys);
      const result = await reservations.reserve(newTransferId(), keys);
      if (result.ok || result.conflicts.length !== COUNT) throw new Error('expected conflicts');
      await reservations.release(holder, keys);
    },
    { iterations: 2, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
