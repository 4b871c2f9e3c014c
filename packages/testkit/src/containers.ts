import type { StartedTestContainer } from 'testcontainers';

/** Pinned images, the same versions the local binaries have (MongoDB itself instead of FerretDB). */
export const NATS_IMAGE = 'nats:2.14.9';
export const MONGO_IMAGE = 'mongo:8.0';

/** A server in a container started by testcontainers (which also removes it if this process dies). */
export interface StartedServerContainer {
  url: string;
  image: string;
  stop(): Promise<void>;
}

function started(container: StartedTestContainer, image: string, url: string): StartedServerContainer {
  return {
    url,
    image,
    async stop() {
      await container.stop();
    },
  };
}

// testcontainers is loaded only when a Docker engine answers: it is large, and unused otherwise.

export async function startNatsContainer(): Promise<StartedServerContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(NATS_IMAGE)
    .withCommand(['-js', '-sd', '/data'])
    .withExposedPorts(4222)
    .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
    .start();
  return started(container, NATS_IMAGE, `nats://${container.getHost()}:${container.getMappedPort(4222)}`);
}

export async function startMongoContainer(): Promise<StartedServerContainer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(MONGO_IMAGE)
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .start();
  const url = `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`;
  return started(container, MONGO_IMAGE, url);
}
