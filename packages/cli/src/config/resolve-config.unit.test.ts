import { describe, expect, it } from 'vitest';
import { CliFailure } from '../failure.js';
import { type ConfigSources, NO_TOKEN_MESSAGE, readToken, resolveConfig } from './resolve-config.js';

const CONFIG = {
  default_profile: 'dev',
  profiles: {
    dev: { intake_url: 'http://dev:8080', tracker_url: 'http://dev:8085/', token_file: 'tokens/admin-token' },
    prod: { intake_url: 'https://intake.example', token_file: '/etc/interco/token' },
  },
};

/** Sources over an in-memory file system (paths are absolute). */
function sources(
  files: Record<string, string>,
  more: Partial<Pick<ConfigSources, 'flags' | 'env'>> = {},
): ConfigSources {
  return {
    flags: more.flags ?? {},
    env: more.env ?? {},
    cwd: '/work',
    homeDir: '/home/ana',
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
}

async function failure(run: () => Promise<unknown>): Promise<CliFailure> {
  try {
    await run();
  } catch (error) {
    if (error instanceof CliFailure) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('resolveConfig', () => {
  it('defaults without a config file, a profile or flags; no token', async () => {
    const config = await resolveConfig(sources({}));
    expect(config).toEqual({
      intakeUrl: 'http://127.0.0.1:8080',
      trackerUrl: 'http://127.0.0.1:8085',
      configFile: undefined,
      profile: undefined,
      token: { kind: 'none' },
    });
  });

  it('reads ~/.config/interco/config.json (or XDG_CONFIG_HOME) and its default profile; token_file relative to it', async () => {
    const home = await resolveConfig(
      sources({ '/home/ana/.config/interco/config.json': JSON.stringify(CONFIG) }),
    );
    expect(home).toMatchObject({
      intakeUrl: 'http://dev:8080',
      trackerUrl: 'http://dev:8085',
      profile: 'dev',
      token: { kind: 'file', path: '/home/ana/.config/interco/tokens/admin-token' },
    });
    const xdg = await resolveConfig(
      sources({ '/xdg/interco/config.json': JSON.stringify(CONFIG) }, { env: { XDG_CONFIG_HOME: '/xdg' } }),
    );
    expect(xdg.configFile).toBe('/xdg/interco/config.json');
  });

  it('first found wins: flags, then the environment, then the profile, then the defaults', async () => {
    const files = { '/work/.interco/cli.json': JSON.stringify(CONFIG) };
    const env = {
      INTERCO_CONFIG: '.interco/cli.json',
      INTERCO_INTAKE_URL: 'http://env-intake:1',
      INTERCO_TOKEN_FILE: 'env-token',
    };
    const fromEnv = await resolveConfig(sources(files, { env }));
    expect(fromEnv).toMatchObject({
      intakeUrl: 'http://env-intake:1',
      trackerUrl: 'http://dev:8085',
      configFile: '/work/.interco/cli.json',
      token: { kind: 'file', path: '/work/env-token', from: 'INTERCO_TOKEN_FILE' },
    });
    const fromFlags = await resolveConfig(
      sources(files, {
        env: { ...env, INTERCO_TOKEN: 'itk_env' },
        flags: {
          intakeUrl: 'http://flag:2',
          trackerUrl: 'http://flag:3',
          tokenFile: 'flag-token',
          profile: 'prod',
        },
      }),
    );
    expect(fromFlags).toMatchObject({
      intakeUrl: 'http://flag:2',
      trackerUrl: 'http://flag:3',
      profile: 'prod',
      token: { kind: 'file', path: '/work/flag-token', from: '--token-file' },
    });
    const envToken = await resolveConfig(sources(files, { env: { ...env, INTERCO_TOKEN: 'itk_env' } }));
    expect(envToken.token).toEqual({ kind: 'env', name: 'INTERCO_TOKEN' });
    const prod = await resolveConfig(
      sources(files, { env: { INTERCO_CONFIG: '.interco/cli.json', INTERCO_PROFILE: 'prod' } }),
    );
    expect(prod).toMatchObject({
      intakeUrl: 'https://intake.example',
      trackerUrl: 'http://127.0.0.1:8085',
      token: { kind: 'file', path: '/etc/interco/token' },
    });
  });

  it('refuses a named config file that is missing, not JSON or not valid, an unknown profile and a bad URL', async () => {
    const cases: [Record<string, string>, Partial<Pick<ConfigSources, 'flags' | 'env'>>, string][] = [
      [
        {},
        { flags: { config: 'nope.json' } },
        'the config file /work/nope.json cannot be read: it does not exist',
      ],
      [
        { '/work/c.json': '{"profiles": {\n  "dev": x' },
        { flags: { config: 'c.json' } },
        'the config file /work/c.json is not JSON at line 2, column 10',
      ],
      [
        { '/work/c.json': JSON.stringify({ profiles: { dev: { intake: 'x' } } }) },
        { flags: { config: 'c.json' } },
        'the config file /work/c.json is not valid: profiles.dev.intake: Unexpected property',
      ],
      [
        { '/work/c.json': JSON.stringify(CONFIG) },
        { flags: { config: 'c.json', profile: 'staging' } },
        '/work/c.json has no profile staging (it has: dev, prod)',
      ],
      [{}, { flags: { profile: 'dev' } }, 'profile dev was asked for, but there is no config file'],
      [{}, { flags: { intakeUrl: 'intake:8080' } }, '--intake-url must be an http:// or https:// URL'],
      [{}, { env: { INTERCO_TRACKER_URL: 'not a url' } }, 'INTERCO_TRACKER_URL is not a URL'],
    ];
    for (const [files, more, message] of cases) {
      const error = await failure(() => resolveConfig(sources(files, more)));
      expect(error.kind).toBe('usage');
      expect(error.message).toContain(message);
    }
  });

  it('never quotes a file that is not JSON (a token file given as --config)', async () => {
    const token = 'ick_abcdefghijkl_not-a-real-secret-not-a-real-secret-0123456';
    for (const text of [`${token}\n`, `{"a": ${token}}`]) {
      const error = await failure(() =>
        resolveConfig(
          sources({ '/work/.interco/admin-token': text }, { flags: { config: '.interco/admin-token' } }),
        ),
      );
      expect(error.kind).toBe('usage');
      expect(error.message).toMatch(/^the config file \/work\/.interco\/admin-token is not JSON/);
      expect(error.message).not.toContain(token.slice(0, 3));
      expect(error.message).not.toContain('"');
    }
  });

  it('refuses a URL with a user name or password (exit 2), never quoting it', async () => {
    const cases: [Partial<Pick<ConfigSources, 'flags' | 'env'>>, string][] = [
      [{ flags: { intakeUrl: 'http://ana:s3cret-pw@intake:8080' } }, '--intake-url'],
      [{ env: { INTERCO_TRACKER_URL: 'https://ana@tracker.example' } }, 'INTERCO_TRACKER_URL'],
      [{ env: { INTERCO_TRACKER_URL: 'https://:s3cret-pw@tracker.example/' } }, 'INTERCO_TRACKER_URL'],
      [
        { env: { INTERCO_TRACKER_URL: 'http://ana:s3cret@tracker:99999' } },
        'INTERCO_TRACKER_URL is not a URL',
      ],
    ];
    for (const [more, from] of cases) {
      const error = await failure(() => resolveConfig(sources({}, more)));
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(from);
      expect(error.message).not.toMatch(/s3cret|ana/);
    }
    const refused = await failure(() =>
      resolveConfig(sources({}, { flags: { intakeUrl: 'http://ana:s3cret-pw@intake:8080' } })),
    );
    expect(refused.message).toContain('authenticate with the API token');
  });
});

describe('readToken', () => {
  const files = { '/work/token': '\n  itk_from_file  \n', '/work/empty': '\n' };
  const read = sources(files).readFile;

  it('reads INTERCO_TOKEN, or a token file’s first line trimmed', async () => {
    expect(
      await readToken({ kind: 'env', name: 'INTERCO_TOKEN' }, { INTERCO_TOKEN: ' itk_env ' }, read),
    ).toBe('itk_env');
    expect(await readToken({ kind: 'file', path: '/work/token', from: '--token-file' }, {}, read)).toBe(
      'itk_from_file',
    );
  });

  it('says clearly when there is no token, or its file is missing or empty (never printing a token)', async () => {
    const none = await failure(() => readToken({ kind: 'none' }, {}, read));
    expect(none.message).toBe(NO_TOKEN_MESSAGE);
    expect(none.exitCode).toBe(2);
    const missing = await failure(() =>
      readToken({ kind: 'file', path: '/work/gone', from: 'INTERCO_TOKEN_FILE' }, {}, read),
    );
    expect(missing.message).toBe(
      'the token file /work/gone (from INTERCO_TOKEN_FILE) cannot be read: it does not exist',
    );
    const empty = await failure(() =>
      readToken({ kind: 'file', path: '/work/empty', from: '--token-file' }, {}, read),
    );
    expect(empty.message).toBe('the token file /work/empty (from --token-file) is empty');
    const mistaken = await failure(() =>
      readToken({ kind: 'file', path: '/work/ick_abcdefghijkl_secret', from: '--token-file' }, {}, read),
    );
    expect(mistaken.message).toBe(
      'the token file (its name looks like an API token: not shown) (from --token-file) cannot be read: it does not exist',
    );
  });

  it('refuses a token with characters a header cannot carry, naming its source, never its value', async () => {
    const env = await failure(() =>
      readToken({ kind: 'env', name: 'INTERCO_TOKEN' }, { INTERCO_TOKEN: 'ick_first\nick_second' }, read),
    );
    expect(env.exitCode).toBe(2);
    expect(env.message).toMatch(/^the token in INTERCO_TOKEN is not valid: /);
    expect(env.message).not.toContain('ick_');
    const files = { '/work/t': 'ick_abc\u0007def\n', '/work/u': 'ick_é\n', '/work/s': 'ick_a b\n' };
    for (const path of Object.keys(files)) {
      const file = await failure(() =>
        readToken({ kind: 'file', path, from: '--token-file' }, {}, sources(files).readFile),
      );
      expect(file.exitCode).toBe(2);
      expect(file.message).toContain(`the token file ${path} (from --token-file) is not valid`);
      expect(file.message).not.toContain('ick_');
    }
  });
});
