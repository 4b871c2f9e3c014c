import { request } from 'node:http';

/** Where to send a GET: a URL, or a path on a Unix socket (the Docker engine's API). */
export type ProbeTarget = { url: string } | { socketPath: string; path: string };

/**
 * The status code of a GET to `target`, or undefined when nothing answers within `timeoutMs`.
 * No keep-alive, so no socket stays open to a server that is about to stop.
 */
export function httpStatus(target: ProbeTarget, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const options = { method: 'GET', agent: false, timeout: timeoutMs } as const;
    const req =
      'url' in target
        ? request(target.url, options)
        : request({ ...options, socketPath: target.socketPath, path: target.path });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}
