import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/** The oldest nats-server the tests accept (JetStream features Interco relies on). */
export const MIN_NATS_SERVER_VERSION = '2.11.0';

const SETUP_HINT =
  'Run `bash scripts/setup.sh` (it builds the test servers), or set NATS_URL and MONGODB_URL';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** The first `1.2.3` (or `v1.2`) in `text`, e.g. in `nats-server: v2.14.9`. */
export function parseVersion(text: string): Version | undefined {
  const match = /\bv?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function formatVersion(version: Version): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/**
 * Checks what a nats-server reported (`nats-server --version` output, or the version in its INFO)
 * against MIN_NATS_SERVER_VERSION; returns the version as `2.14.9`, or throws saying what to do.
 * `where` names the server in the message, e.g. "/usr/bin/nats-server" or "NATS_URL".
 */
export function checkNatsServerVersion(reported: string, where: string): string {
  const version = parseVersion(reported);
  const min = parseVersion(MIN_NATS_SERVER_VERSION);
  if (version === undefined || min === undefined) {
    throw new Error(
      `nats-server at ${where} reported no version we can read (${JSON.stringify(reported.trim())}).`,
    );
  }
  if (compareVersions(version, min) < 0) {
    throw new Error(
      `nats-server at ${where} is v${formatVersion(version)}, but the tests need nats-server >= ${MIN_NATS_SERVER_VERSION} with JetStream. ${SETUP_HINT}.`,
    );
  }
  return formatVersion(version);
}

/** `${INTERCO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/interco}`, as scripts/setup.sh computes it. */
export function intercoCacheDir(env: Environment = process.env, home: string = homedir()): string {
  if (env.INTERCO_CACHE_DIR) return env.INTERCO_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'interco');
}

/** A server executable found on this machine, with the version it reports. */
export interface FoundBinary {
  path: string;
  /** As the binary reports it: `2.14.9` for nats-server, `v1.24.2` for FerretDB. */
  version: string;
  /** Where it was found: the override variable's name, `cache` or `PATH`. */
  foundVia: string;
}

/** A server executable to look for. */
export interface BinarySpec {
  /** The file name in the cache folder and on PATH. */
  file: string;
  envVar: string;
  /** The variable naming an already running server, which makes the binary unnecessary. */
  urlVar: string;
}

export const NATS_SERVER_BINARY: BinarySpec = {
  file: 'nats-server',
  envVar: 'INTERCO_NATS_SERVER_BIN',
  urlVar: 'NATS_URL',
};
export const FERRETDB_BINARY: BinarySpec = {
  file: 'interco-ferretdb',
  envVar: 'INTERCO_FERRETDB_BIN',
  urlVar: 'MONGODB_URL',
};

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Finds `spec.file`: the override variable, then the setup script's cache folder, then PATH. */
export async function locateBinary(
  spec: BinarySpec,
  env: Environment = process.env,
): Promise<{ path: string; foundVia: string }> {
  const override = env[spec.envVar];
  if (override) {
    if (await isExecutableFile(override)) return { path: override, foundVia: spec.envVar };
    throw new Error(`${spec.envVar}=${override} is not an executable file. Fix or unset it.`);
  }
  const cached = join(intercoCacheDir(env), 'bin', spec.file);
  if (await isExecutableFile(cached)) return { path: cached, foundVia: 'cache' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, spec.file);
    if (await isExecutableFile(candidate)) return { path: candidate, foundVia: 'PATH' };
  }
  throw new Error(
    `${spec.file} not found: ${spec.envVar} is not set, ${cached} does not exist and there is no ${spec.file} on PATH. ` +
      `${SETUP_HINT} (${spec.urlVar} alone skips ${spec.file}).`,
  );
}

const run = promisify(execFile);

async function reportedVersion(path: string, flag: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(path, [flag], { timeout: 15_000 });
    return `${stdout}${stderr}`.trim();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${path} ${flag} failed: ${why}. ${SETUP_HINT}.`);
  }
}

/** The nats-server to run (>= MIN_NATS_SERVER_VERSION), or an error saying what is missing. */
export async function findNatsServerBinary(env: Environment = process.env): Promise<FoundBinary> {
  const { path, foundVia } = await locateBinary(NATS_SERVER_BINARY, env);
  return inspectNatsServerBinary(path, foundVia);
}

/** Asks the nats-server at `path` for its version and checks it. */
export async function inspectNatsServerBinary(path: string, foundVia = 'caller'): Promise<FoundBinary> {
  const version = checkNatsServerVersion(await reportedVersion(path, '--version'), path);
  return { path, version, foundVia };
}

/** The interco-ferretdb launcher (tools/ferretdb) to run, or an error saying what is missing. */
export async function findFerretDbBinary(env: Environment = process.env): Promise<FoundBinary> {
  const { path, foundVia } = await locateBinary(FERRETDB_BINARY, env);
  return inspectFerretDbBinary(path, foundVia);
}

/** Asks the interco-ferretdb at `path` for its FerretDB version. */
export async function inspectFerretDbBinary(path: string, foundVia = 'caller'): Promise<FoundBinary> {
  const output = await reportedVersion(path, '-version');
  const version = /FerretDB (\S+)/.exec(output)?.[1];
  if (version === undefined) {
    throw new Error(
      `${path} -version printed ${JSON.stringify(output)}, not a FerretDB version. ${SETUP_HINT}.`,
    );
  }
  return { path, version, foundVia };
}
