/**
 * Where the CLI's settings come from, first found wins: flags, then the environment, then the
 * profile of the config file, then the defaults (docs/running.md). The token is never taken from
 * argv: INTERCO_TOKEN, a token file (--token-file, INTERCO_TOKEN_FILE, the profile's token_file,
 * relative to the config file's folder), read only when a command calls an API.
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { answerProblems, fits } from '../api/check-answer.js';
import { CliFailure } from '../failure.js';
import { parseJsonText } from '../json-text.js';
import { looksLikeToken } from '../token-shape.js';
import { ConfigFile, type Profile } from './config-file.js';

export const DEFAULT_INTAKE_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TRACKER_URL = 'http://127.0.0.1:8085';

export interface ConfigFlags {
  readonly config?: string | undefined;
  readonly profile?: string | undefined;
  readonly intakeUrl?: string | undefined;
  readonly trackerUrl?: string | undefined;
  readonly tokenFile?: string | undefined;
}

/** What resolution reads, injected (tests give their own). */
export interface ConfigSources {
  readonly flags: ConfigFlags;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homeDir: string;
  /** Reads a file as UTF-8; rejects with an error whose `code` is ENOENT when it is missing. */
  readonly readFile: (path: string) => Promise<string>;
}

/** Where the token comes from (never the token itself, except from INTERCO_TOKEN when read). */
export type TokenSource =
  | { readonly kind: 'env'; readonly name: 'INTERCO_TOKEN' }
  | { readonly kind: 'file'; readonly path: string; readonly from: string }
  | { readonly kind: 'none' };

export interface ResolvedConfig {
  readonly intakeUrl: string;
  readonly trackerUrl: string;
  /** The config file read, if any. */
  readonly configFile: string | undefined;
  readonly profile: string | undefined;
  readonly token: TokenSource;
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/** The config file's path and whether it was named explicitly (a named file must exist). */
export function configPath(sources: Pick<ConfigSources, 'flags' | 'env' | 'cwd' | 'homeDir'>): {
  path: string;
  explicit: boolean;
} {
  const named = sources.flags.config ?? nonEmpty(sources.env.INTERCO_CONFIG);
  if (named !== undefined) return { path: resolve(sources.cwd, named), explicit: true };
  const xdg = nonEmpty(sources.env.XDG_CONFIG_HOME);
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(sources.homeDir, '.config');
  return { path: join(base, 'interco', 'config.json'), explicit: false };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

async function readConfigFile(
  sources: ConfigSources,
): Promise<{ path: string; file: ConfigFile } | undefined> {
  const { path, explicit } = configPath(sources);
  let text: string;
  try {
    text = await sources.readFile(path);
  } catch (error) {
    if (isMissing(error) && !explicit) return undefined;
    const why = isMissing(error) ? 'it does not exist' : String((error as Error).message ?? error);
    throw new CliFailure('usage', `the config file ${path} cannot be read: ${why}`);
  }
  const value = parseJsonText(text, `the config file ${path}`);
  if (!fits(ConfigFile, value)) {
    throw new CliFailure(
      'usage',
      `the config file ${path} is not valid: ${answerProblems(ConfigFile, value).join('; ')}`,
    );
  }
  return { path, file: value };
}

function checkUrl(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Quoted unless it may hold credentials (`user:password@`).
    const shown = value.includes('@') ? '' : `: ${JSON.stringify(value)}`;
    throw new CliFailure('usage', `${from} is not a URL${shown}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliFailure('usage', `${from} must be an http:// or https:// URL, not ${url.protocol}`);
  }
  // Credentials in a URL would be echoed in every message that names the service: refused, and
  // never quoted (the token is how the CLI authenticates).
  if (url.username !== '' || url.password !== '') {
    throw new CliFailure(
      'usage',
      `${from} has a user name or password in it: give the URL without them, and authenticate with the API token (INTERCO_TOKEN, INTERCO_TOKEN_FILE or --token-file)`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** Resolves URLs and the token's source (the token is read later, by readToken). */
export async function resolveConfig(sources: ConfigSources): Promise<ResolvedConfig> {
  const { flags, env } = sources;
  const loaded = await readConfigFile(sources);
  const profileName =
    flags.profile ?? nonEmpty(env.INTERCO_PROFILE) ?? loaded?.file.default_profile ?? undefined;
  let profile: Profile | undefined;
  if (profileName !== undefined) {
    if (loaded === undefined) {
      throw new CliFailure(
        'usage',
        `profile ${profileName} was asked for, but there is no config file (${configPath(sources).path}); pass --config <file> or set INTERCO_CONFIG`,
      );
    }
    profile = loaded.file.profiles[profileName];
    if (profile === undefined) {
      const known = Object.keys(loaded.file.profiles);
      throw new CliFailure(
        'usage',
        `${loaded.path} has no profile ${profileName} (it has: ${known.length === 0 ? 'none' : known.join(', ')})`,
      );
    }
  }
  const profileLabel = `profile ${profileName ?? ''} of ${loaded?.path ?? ''}`;
  const pick = (
    flag: string | undefined,
    flagName: string,
    envName: string,
    fromProfile: string | undefined,
  ) => {
    if (flag !== undefined) return checkUrl(flag, flagName);
    const fromEnv = nonEmpty(env[envName]);
    if (fromEnv !== undefined) return checkUrl(fromEnv, envName);
    if (fromProfile !== undefined)
      return checkUrl(fromProfile, `${profileLabel}: ${flagName.slice(2).replace('-', '_')}`);
    return undefined;
  };
  const intakeUrl = pick(flags.intakeUrl, '--intake-url', 'INTERCO_INTAKE_URL', profile?.intake_url);
  const trackerUrl = pick(flags.trackerUrl, '--tracker-url', 'INTERCO_TRACKER_URL', profile?.tracker_url);

  let token: TokenSource = { kind: 'none' };
  if (flags.tokenFile !== undefined) {
    token = { kind: 'file', path: resolve(sources.cwd, flags.tokenFile), from: '--token-file' };
  } else if (nonEmpty(env.INTERCO_TOKEN) !== undefined) {
    token = { kind: 'env', name: 'INTERCO_TOKEN' };
  } else if (nonEmpty(env.INTERCO_TOKEN_FILE) !== undefined) {
    token = {
      kind: 'file',
      path: resolve(sources.cwd, env.INTERCO_TOKEN_FILE ?? ''),
      from: 'INTERCO_TOKEN_FILE',
    };
  } else if (profile?.token_file !== undefined && loaded !== undefined) {
    token = {
      kind: 'file',
      path: resolve(dirname(loaded.path), profile.token_file),
      from: `the token_file of ${profileLabel}`,
    };
  }
  return {
    intakeUrl: intakeUrl ?? DEFAULT_INTAKE_URL,
    trackerUrl: trackerUrl ?? DEFAULT_TRACKER_URL,
    configFile: loaded?.path,
    profile: profileName,
    token,
  };
}

export const NO_TOKEN_MESSAGE =
  'no API token: set INTERCO_TOKEN or INTERCO_TOKEN_FILE, pass --token-file <file>, or give the profile a token_file (a token is never taken from the command line)';

/** The token, from its source: a file's first line, trimmed. Never echoed in a message. */
export async function readToken(
  token: TokenSource,
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => Promise<string>,
): Promise<string> {
  if (token.kind === 'none') throw new CliFailure('usage', NO_TOKEN_MESSAGE);
  if (token.kind === 'env') return checkedToken((env.INTERCO_TOKEN ?? '').trim(), token.name);
  // A token given by mistake as the file's name is not echoed.
  const file = `the token file ${looksLikeToken(token.path) ? '(its name looks like an API token: not shown)' : token.path} (from ${token.from})`;
  let text: string;
  try {
    text = await readFile(token.path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const why = isMissing(error)
      ? 'it does not exist'
      : typeof code === 'string'
        ? code
        : 'it cannot be opened';
    throw new CliFailure('usage', `${file} cannot be read: ${why}`);
  }
  const value = (text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '').trim();
  if (value === '') throw new CliFailure('usage', `${file} is empty`);
  return checkedToken(value, file);
}

/** Visible ASCII only (what an Authorization header can carry; every Interco token is). */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** The token, if it can be sent; else a usage failure naming where it came from, never the value. */
function checkedToken(value: string, source: string): string {
  if (!TOKEN_CHARACTERS.test(value)) {
    throw new CliFailure(
      'usage',
      `the token in ${source} is not valid: it has characters other than visible ASCII (a space, a control character or a line break inside it?)`,
    );
  }
  return value;
}
