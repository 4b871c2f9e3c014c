import { join, relative, resolve } from 'node:path';

/** The data folder's default, relative to the current directory (the repository root for `pnpm dev`). */
export const DEFAULT_DATA_DIR = '.interco';

/** Where the stack keeps its data, all under one folder (`.interco/` by default). */
export interface StackLayout {
  readonly dir: string;
  readonly natsDir: string;
  readonly mongoDir: string;
  readonly logsDir: string;
  readonly simState: string;
  readonly secretKey: string;
  readonly adminToken: string;
  readonly cliConfig: string;
  readonly stackFile: string;
  /** The demo's request files. */
  readonly demoDir: string;
}

export function stackLayout(dir: string): StackLayout {
  const root = resolve(dir);
  return {
    dir: root,
    natsDir: join(root, 'nats'),
    mongoDir: join(root, 'mongo'),
    logsDir: join(root, 'logs'),
    simState: join(root, 'sim-state.json'),
    secretKey: join(root, 'secret-key'),
    adminToken: join(root, 'admin-token'),
    cliConfig: join(root, 'cli.json'),
    stackFile: join(root, 'stack.json'),
    demoDir: join(root, 'demo'),
  };
}

export function logFile(layout: StackLayout, name: string): string {
  return join(layout.logsDir, `${name}.log`);
}

/** A path as a person would type it from the current directory: relative below it, else absolute. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  return rel.startsWith('..') ? resolve(path) : rel;
}
