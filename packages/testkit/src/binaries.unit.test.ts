import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkNatsServerVersion,
  compareVersions,
  findNatsServerBinary,
  intercoCacheDir,
  locateBinary,
  NATS_SERVER_BINARY,
  parseVersion,
} from './binaries.js';

describe('parseVersion', () => {
  it('reads what nats-server --version prints', () => {
    expect(parseVersion('nats-server: v2.14.9')).toEqual({ major: 2, minor: 14, patch: 9 });
  });

  it('reads a bare version and one without a patch number', () => {
    expect(parseVersion('2.11.0')).toEqual({ major: 2, minor: 11, patch: 0 });
    expect(parseVersion('FerretDB v1.24')).toEqual({ major: 1, minor: 24, patch: 0 });
  });

  it('returns undefined when there is no version', () => {
    expect(parseVersion('nats-server: unknown')).toBeUndefined();
  });
});

describe('compareVersions', () => {
  const v = (text: string) => parseVersion(text) ?? expect.unreachable(`no version in ${text}`);

  it('orders numerically, not as text', () => {
    expect(compareVersions(v('2.10.0'), v('2.9.25'))).toBeGreaterThan(0);
    expect(compareVersions(v('2.9.25'), v('2.11.0'))).toBeLessThan(0);
    expect(compareVersions(v('2.11.0'), v('v2.11.0'))).toBe(0);
    expect(compareVersions(v('3.0.0'), v('2.99.99'))).toBeGreaterThan(0);
  });
});

describe('checkNatsServerVersion', () => {
  it('accepts 2.11 and later', () => {
    expect(checkNatsServerVersion('nats-server: v2.11.0', '/bin/x')).toBe('2.11.0');
    expect(checkNatsServerVersion('nats-server: v2.14.9', '/bin/x')).toBe('2.14.9');
    expect(checkNatsServerVersion('3.0.1', 'NATS_URL')).toBe('3.0.1');
  });

  it('rejects 2.9.x and 2.10.x, naming the binary, the minimum and the setup script', () => {
    expect(() => checkNatsServerVersion('nats-server: v2.9.25', '/usr/bin/nats-server')).toThrow(
      /\/usr\/bin\/nats-server is v2\.9\.25, but the tests need nats-server >= 2\.11\.0.*bash scripts\/setup\.sh/,
    );
    expect(() => checkNatsServerVersion('nats-server: v2.10.29', 'x')).toThrow(/>= 2\.11\.0/);
  });

  it('rejects output without a version', () => {
    expect(() => checkNatsServerVersion('garbage', '/bin/x')).toThrow(/no version we can read/);
  });
});

describe('intercoCacheDir', () => {
  it('prefers INTERCO_CACHE_DIR', () => {
    expect(intercoCacheDir({ INTERCO_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/c');
  });

  it('falls back to $XDG_CACHE_HOME/interco, then ~/.cache/interco', () => {
    expect(intercoCacheDir({ XDG_CACHE_HOME: '/x' }, '/home/u')).toBe('/x/interco');
    expect(intercoCacheDir({}, '/home/u')).toBe('/home/u/.cache/interco');
  });

  it('treats empty variables as unset, like the setup script', () => {
    expect(intercoCacheDir({ INTERCO_CACHE_DIR: '', XDG_CACHE_HOME: '' }, '/home/u')).toBe(
      '/home/u/.cache/interco',
    );
  });
});

describe('binary lookup', async () => {
  const root = await mkdtemp(join(tmpdir(), 'testkit-binaries-'));
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function fakeNatsServer(dir: string, version: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'nats-server');
    await writeFile(path, `#!/bin/sh\necho "nats-server: v${version}"\n`);
    await chmod(path, 0o755);
    return path;
  }

  const cacheBin = await fakeNatsServer(join(root, 'cache', 'bin'), '2.14.9');
  const pathBin = await fakeNatsServer(join(root, 'path'), '2.12.0');
  const oldBin = await fakeNatsServer(join(root, 'old'), '2.9.25');

  it('uses the override variable first, then the cache folder, then PATH', async () => {
    const cacheEnv = { INTERCO_CACHE_DIR: join(root, 'cache'), PATH: join(root, 'path') };
    expect(await locateBinary(NATS_SERVER_BINARY, { ...cacheEnv, INTERCO_NATS_SERVER_BIN: oldBin })).toEqual({
      path: oldBin,
      foundVia: 'INTERCO_NATS_SERVER_BIN',
    });
    expect(await locateBinary(NATS_SERVER_BINARY, cacheEnv)).toEqual({ path: cacheBin, foundVia: 'cache' });
    const noCache = { INTERCO_CACHE_DIR: join(root, 'nothing'), PATH: `/nonexistent:${join(root, 'path')}` };
    expect(await locateBinary(NATS_SERVER_BINARY, noCache)).toEqual({ path: pathBin, foundVia: 'PATH' });
  });

  it('says what is missing and to run the setup script', async () => {
    const env = { INTERCO_CACHE_DIR: join(root, 'nothing'), PATH: '/nonexistent' };
    await expect(locateBinary(NATS_SERVER_BINARY, env)).rejects.toThrow(
      /nats-server not found: INTERCO_NATS_SERVER_BIN is not set, .*nothing\/bin\/nats-server does not exist .*bash scripts\/setup\.sh/,
    );
  });

  it('rejects an override that is not executable', async () => {
    const env = { INTERCO_NATS_SERVER_BIN: join(root, 'missing') };
    await expect(locateBinary(NATS_SERVER_BINARY, env)).rejects.toThrow(
      /INTERCO_NATS_SERVER_BIN=.* is not an executable/,
    );
  });

  it('checks the version of the binary it finds', async () => {
    expect(await findNatsServerBinary({ INTERCO_NATS_SERVER_BIN: cacheBin })).toEqual({
      path: cacheBin,
      version: '2.14.9',
      foundVia: 'INTERCO_NATS_SERVER_BIN',
    });
    await expect(findNatsServerBinary({ INTERCO_NATS_SERVER_BIN: oldBin })).rejects.toThrow(
      /is v2\.9\.25, but the tests need nats-server >= 2\.11\.0.*bash scripts\/setup\.sh/,
    );
  });
});
