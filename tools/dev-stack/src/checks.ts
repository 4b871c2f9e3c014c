import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SERVICE_NAMES } from './ports.js';

/** A problem found before anything starts, said so a person knows what to do. */
export class StackStartError extends Error {
  override readonly name = 'StackStartError';
}

/** Whether something already listens on 127.0.0.1:`port` (a listener we make there fails). */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(true);
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Fails naming every port of `ports` that is taken, and what the stack wanted it for. */
export async function checkPortsFree(ports: ReadonlyArray<{ port: number; owner: string }>): Promise<void> {
  const taken: string[] = [];
  for (const { port, owner } of ports) {
    if (await portInUse(port)) taken.push(`${port} (${owner})`);
  }
  if (taken.length > 0) {
    throw new StackStartError(
      `port${taken.length > 1 ? 's' : ''} already in use: ${taken.join(', ')}. Another stack may be running ` +
        '(stop it, or see `ss -ltnp`), or pick other ports with --port-base N (or INTERCO_DEV_PORT_BASE).',
    );
  }
}

/** The built files the stack runs, relative to the repository root. */
export const BUILT_FILES = [
  ...SERVICE_NAMES.map((name) => `services/${name}/dist/main.js`),
  'packages/erpnext-sim/dist/cli.js',
] as const;

/** Fails naming the built files that are missing (`pnpm build` makes them). */
export async function checkBuilt(repoRoot: string, files: readonly string[] = BUILT_FILES): Promise<void> {
  const missing: string[] = [];
  for (const file of files) {
    try {
      await access(join(repoRoot, file));
    } catch {
      missing.push(file);
    }
  }
  if (missing.length > 0) {
    throw new StackStartError(
      `not built: ${missing.join(', ')} missing. Run \`pnpm build\` (\`pnpm dev\` and \`pnpm demo\` build first).`,
    );
  }
}
