import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken, parseToken } from '@interco/auth';
import { SecretBox } from '@interco/erpnext';
import { afterAll, describe, expect, it } from 'vitest';
import { cliConfig } from './cli-config.js';
import { stackLayout } from './layout.js';
import { ensureSecrets } from './secrets.js';

describe('ensureSecrets', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dev-stack-secrets-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const layout = stackLayout(dir);

  it('makes a usable key and a bootstrap token on first start, both mode 0600', async () => {
    const first = await ensureSecrets(layout);
    expect(first.created).toEqual(['secret-key', 'admin-token']);
    expect(() => SecretBox.fromKeyText(first.secretKey)).not.toThrow();
    expect(parseToken(first.adminToken)).toBeDefined();
    expect(first.tokenHash).toBe(hashToken(first.adminToken));
    for (const file of [layout.secretKey, layout.adminToken]) {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
    expect((await readFile(layout.adminToken, 'utf8')).trim()).toBe(first.adminToken);
  });

  it('keeps them on later starts, and makes again only what was deleted', async () => {
    const first = await ensureSecrets(layout);
    expect(first.created).toEqual([]);
    await rm(layout.adminToken);
    const second = await ensureSecrets(layout);
    expect(second.created).toEqual(['admin-token']);
    expect(second.secretKey).toBe(first.secretKey);
    expect(second.adminToken).not.toBe(first.adminToken);
  });

  it('reads a file written by hand (trailing newline and all)', async () => {
    const other = stackLayout(join(dir, 'other'));
    await rm(other.dir, { recursive: true, force: true });
    await mkdir(other.dir);
    const key = SecretBox.generateKeyText();
    await writeFile(other.secretKey, `${key}\n\n`);
    expect((await ensureSecrets(other)).secretKey).toBe(key);
  });
});

describe('cliConfig', () => {
  it('is the dev profile, its token file named relative to the config folder', () => {
    const layout = stackLayout('/repo/.interco');
    expect(
      cliConfig(layout.cliConfig, { intake: 'http://i', tracker: 'http://t' }, layout.adminToken),
    ).toEqual({
      default_profile: 'dev',
      profiles: { dev: { intake_url: 'http://i', tracker_url: 'http://t', token_file: 'admin-token' } },
    });
    expect(
      cliConfig('/a/cli.json', { intake: 'i', tracker: 't' }, '/a/secrets/token').profiles.dev?.token_file,
    ).toBe('secrets/token');
  });
});
