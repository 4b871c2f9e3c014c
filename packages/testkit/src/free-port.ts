import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on `host`: the OS picks one for a listener on port 0,
 * which is closed again. Another process may take it before the caller binds it; callers that
 * can retry on "address already in use" should.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error(`could not read the port of a listener on ${host}`));
      });
    });
  });
}
