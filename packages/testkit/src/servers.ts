import {
  checkNatsServerVersion,
  type Environment,
  findFerretDbBinary,
  findNatsServerBinary,
} from './binaries.js';
import { startMongoContainer, startNatsContainer } from './containers.js';
import { dockerEngineAnswers } from './docker.js';
import { LocalFerretDb } from './ferretdb.js';
import { LocalNatsServer } from './nats-server.js';
import { queryMongoServer, queryNatsServer } from './versions.js';

export type ServerKind = 'env' | 'container' | 'local';

/** A server the tests can use, wherever it came from. */
export interface RunningServer {
  url: string;
  /** From NATS_URL / MONGODB_URL, a testcontainers container, or a local binary. */
  kind: ServerKind;
  /** `nats-server`, `FerretDB` or `MongoDB`. */
  name: string;
  /** As the running server reports it: `2.14.9` (nats-server), `v1.24.2` (FerretDB), `8.0.12` (MongoDB). */
  version: string;
  /** Where it came from, for people: `NATS_URL`, `container nats:2.14.9`, `local binary /path`. */
  origin: string;
  /** For FerretDB: the MongoDB version it emulates. */
  emulates?: string;
  /** Stops and removes what was started (nothing for `env`). */
  stop(): Promise<void>;
}

type Acquired = Pick<RunningServer, 'url' | 'kind' | 'origin' | 'stop'>;

const DOCKER_OFF_VAR = 'INTERCO_TESTKIT_NO_DOCKER';

async function dockerIsUsable(env: Environment): Promise<boolean> {
  if (env[DOCKER_OFF_VAR] && env[DOCKER_OFF_VAR] !== '0') return false;
  return dockerEngineAnswers(env);
}

function containerFailed(error: unknown): Error {
  const why = error instanceof Error ? error.message : String(error);
  return new Error(
    `a Docker engine answers, but testcontainers could not start the server: ${why}. ` +
      `Set ${DOCKER_OFF_VAR}=1 to use local binaries instead (bash scripts/setup.sh builds them).`,
    { cause: error },
  );
}

/** The choice order: the URL variable, else a container when Docker answers, else a local binary. */
async function acquire(
  env: Environment,
  urlVar: string,
  startContainer: () => Promise<{ url: string; image: string; stop(): Promise<void> }>,
  startLocal: () => Promise<{ url: string; bin: string; dispose(): Promise<void> }>,
): Promise<Acquired> {
  const fromEnv = env[urlVar];
  if (fromEnv) {
    return { url: fromEnv, kind: 'env', origin: urlVar, stop: async () => {} };
  }
  if (await dockerIsUsable(env)) {
    const container = await startContainer().catch((error: unknown) => {
      throw containerFailed(error);
    });
    const origin = `container ${container.image}`;
    return { url: container.url, kind: 'container', origin, stop: container.stop };
  }
  const local = await startLocal();
  const origin = `local binary ${local.bin}`;
  return { url: local.url, kind: 'local', origin, stop: () => local.dispose() };
}

/** Runs `check` on a server just acquired; stops the server when the check throws. */
async function checked(server: Acquired, check: () => Promise<RunningServer>): Promise<RunningServer> {
  try {
    return await check();
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function unreachable(what: string, server: Acquired, error: unknown): Error {
  const why = error instanceof Error ? error.message : String(error);
  return new Error(`cannot talk to the ${what} at ${redact(server.url)} (${server.origin}): ${why}`, {
    cause: error,
  });
}

/**
 * A nats-server with JetStream, >= 2.11: NATS_URL, else a container when a Docker engine
 * answers, else a local binary on free ports with a temporary store.
 */
export async function startNats(env: Environment = process.env): Promise<RunningServer> {
  const server = await acquire(env, 'NATS_URL', startNatsContainer, async () =>
    LocalNatsServer.start({ bin: (await findNatsServerBinary(env)).path }),
  );
  return checked(server, async () => {
    const info = await queryNatsServer(server.url).catch((error: unknown) => {
      throw unreachable('nats-server', server, error);
    });
    const where = `${redact(server.url)} (${server.origin})`;
    checkNatsServerVersion(info.version, where);
    if (!info.jetstream)
      throw new Error(`nats-server at ${where} runs without JetStream; the tests need it (-js).`);
    const { url, kind, origin, stop } = server;
    return { url, kind, origin, stop, name: 'nats-server', version: info.version };
  });
}

/**
 * A MongoDB-wire server: MONGODB_URL, else MongoDB in a container when a Docker engine answers,
 * else FerretDB (SQLite backend) from a local binary on a free port with a temporary data folder.
 */
export async function startMongo(env: Environment = process.env): Promise<RunningServer> {
  const server = await acquire(env, 'MONGODB_URL', startMongoContainer, async () =>
    LocalFerretDb.start({ bin: (await findFerretDbBinary(env)).path }),
  );
  return checked(server, async () => {
    const info = await queryMongoServer(server.url).catch((error: unknown) => {
      throw unreachable('MongoDB-wire server', server, error);
    });
    const { url, kind, origin, stop } = server;
    const running: RunningServer = { url, kind, origin, stop, name: info.name, version: info.version };
    if (info.emulates !== undefined) running.emulates = info.emulates;
    return running;
  });
}

/** `url` with any password replaced by `***`, for printing. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * One line saying which server the tests use, e.g.
 * `testkit: nats-server v2.14.9 (local binary /root/.cache/interco/bin/nats-server) at nats://127.0.0.1:41234`.
 */
export function describeServer(server: RunningServer): string {
  const version =
    /^\d/.test(server.version) && server.name === 'nats-server' ? `v${server.version}` : server.version;
  const what =
    server.name === 'nats-server'
      ? `nats-server ${version}`
      : `MongoDB-wire server ${server.name} ${version}`;
  const details = server.emulates === undefined ? [] : [`emulating MongoDB ${server.emulates}`];
  details.push(server.origin);
  return `testkit: ${what} (${details.join('; ')}) at ${redact(server.url)}`;
}
