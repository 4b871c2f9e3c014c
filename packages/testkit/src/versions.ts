import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';

/** What a running nats-server says about itself in its INFO. */
export interface NatsServerInfo {
  /** e.g. `2.14.9` */
  version: string;
  jetstream: boolean;
}

/** Connects to the nats-server at `url` and reads the version from its INFO. */
export async function queryNatsServer(url: string, timeoutMs = 5_000): Promise<NatsServerInfo> {
  const nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false, name: 'interco-testkit' });
  try {
    const info = nc.info;
    if (info === undefined) throw new Error(`nats-server at ${url} sent no INFO`);
    return { version: info.version, jetstream: info.jetstream === true };
  } finally {
    await nc.close();
  }
}

/** What a running MongoDB-wire server says in `buildInfo`. */
export interface MongoServerInfo {
  /** `FerretDB` when buildInfo has `ferretdbVersion`, else `MongoDB`. */
  name: 'FerretDB' | 'MongoDB';
  /** FerretDB's own version (`v1.24.2`), or MongoDB's (`8.0.12`). */
  version: string;
  /** For FerretDB: the MongoDB version it emulates (buildInfo's `version`). */
  emulates: string | undefined;
}

/** Connects to the MongoDB-wire server at `url` and asks `buildInfo`. */
export async function queryMongoServer(url: string, timeoutMs = 5_000): Promise<MongoServerInfo> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    const info = await client.db('admin').admin().command({ buildInfo: 1 });
    const version = String(info.version);
    if (typeof info.ferretdbVersion === 'string') {
      return { name: 'FerretDB', version: info.ferretdbVersion, emulates: version };
    }
    return { name: 'MongoDB', version, emulates: undefined };
  } finally {
    await client.close();
  }
}
