import { describe, expect, it } from 'vitest';
import { describeServer, type RunningServer, redact } from './servers.js';

const stop = async () => {};

describe('describeServer', () => {
  it('says which nats-server runs, from where, at which URL', () => {
    const server: RunningServer = {
      url: 'nats://127.0.0.1:41234',
      kind: 'local',
      name: 'nats-server',
      version: '2.14.9',
      origin: 'local binary /c/bin/nats-server',
      stop,
    };
    expect(describeServer(server)).toBe(
      'testkit: nats-server v2.14.9 (local binary /c/bin/nats-server) at nats://127.0.0.1:41234',
    );
  });

  it('names FerretDB and the MongoDB version it emulates', () => {
    const server: RunningServer = {
      url: 'mongodb://127.0.0.1:40000/',
      kind: 'local',
      name: 'FerretDB',
      version: 'v1.24.2',
      emulates: '7.0.42',
      origin: 'local binary /c/bin/interco-ferretdb',
      stop,
    };
    expect(describeServer(server)).toBe(
      'testkit: MongoDB-wire server FerretDB v1.24.2 (emulating MongoDB 7.0.42; local binary /c/bin/interco-ferretdb) at mongodb://127.0.0.1:40000/',
    );
  });

  it('never prints a password from an environment URL', () => {
    const server: RunningServer = {
      url: 'mongodb://app:s3cret@db.example:27017/?authSource=admin',
      kind: 'env',
      name: 'MongoDB',
      version: '8.0.12',
      origin: 'MONGODB_URL',
      stop,
    };
    const line = describeServer(server);
    expect(line).not.toContain('s3cret');
    expect(line).toBe(
      'testkit: MongoDB-wire server MongoDB 8.0.12 (MONGODB_URL) at mongodb://app:***@db.example:27017/?authSource=admin',
    );
  });
});

describe('redact', () => {
  it('leaves URLs without a password alone', () => {
    expect(redact('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
    expect(redact('not a url')).toBe('not a url');
  });
});
