import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Environment } from './binaries.js';
import { httpStatus } from './http-probe.js';

/** Sockets testcontainers looks at when DOCKER_HOST is not set (rootful, then rootless/Desktop). */
function defaultSockets(env: Environment): string[] {
  const home = homedir();
  const sockets = ['/var/run/docker.sock'];
  if (env.XDG_RUNTIME_DIR) sockets.push(join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  sockets.push(join(home, '.docker', 'run', 'docker.sock'), join(home, '.docker', 'desktop', 'docker.sock'));
  sockets.push(`/run/user/${userInfo().uid}/docker.sock`);
  return sockets;
}

function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a Docker engine answers `GET /_ping` within `timeoutMs`, looking where testcontainers
 * looks: DOCKER_HOST (unix:// or tcp://), else the usual sockets. Quick on machines without
 * Docker: a missing socket is a missing engine.
 */
export async function dockerEngineAnswers(
  env: Environment = process.env,
  timeoutMs = 2_000,
): Promise<boolean> {
  const dockerHost = env.DOCKER_HOST;
  if (dockerHost) {
    if (dockerHost.startsWith('unix://')) {
      const socketPath = dockerHost.slice('unix://'.length);
      return existsSync(socketPath) && (await httpStatus({ socketPath, path: '/_ping' }, timeoutMs)) === 200;
    }
    if (dockerHost.startsWith('tcp://')) {
      const url = new URL(dockerHost);
      const port = Number(url.port || (env.DOCKER_TLS_VERIFY ? 2376 : 2375));
      // With TLS the engine wants client certificates; a TCP connection is answer enough here.
      if (env.DOCKER_TLS_VERIFY) return tcpAnswers(url.hostname, port, timeoutMs);
      return (await httpStatus({ url: `http://${url.hostname}:${port}/_ping` }, timeoutMs)) === 200;
    }
    // ssh://, npipe://: not cheap to probe; DOCKER_HOST was set on purpose, so let testcontainers try.
    return true;
  }
  const socketPath = defaultSockets(env).find((path) => existsSync(path));
  if (socketPath === undefined) return false;
  return (await httpStatus({ socketPath, path: '/_ping' }, timeoutMs)) === 200;
}
