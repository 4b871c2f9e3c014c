import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken, parseToken } from '@interco/auth';
import { SecretBox } from '@interco/erpnext';
import { afterAll, describe, expect, it } from 'vitest';
import { StackStartError } from './checks.js';
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

  it('refuses to make a key or token anew next to NATS or Mongo data, and never overwrites', async () => {
    const other = stackLayout(join(dir, 'with-data'));
    await mkdir(other.dir, { recursive: true });
    const first = await ensureSecrets(other);
    await mkdir(join(other.natsDir, 'jetstream'), { recursive: true });
    await rm(other.secretKey);
    await expect(ensureSecrets(other)).rejects.toThrow(StackStartError);
    await expect(ensureSecrets(other)).rejects.toThrow(
      /secret-key is missing or empty, but .*nats holds data .*Restore .*secret-key.*--reset/,
    );
    expect(existsSync(other.secretKey)).toBe(false);

    await writeFile(other.secretKey, '\n');
    await rm(other.natsDir, { recursive: true });
    await mkdir(other.mongoDir);
    await writeFile(join(other.mongoDir, 'data.sqlite'), 'x');
    await writeFile(other.adminToken, '');
    await expect(ensureSecrets(other)).rejects.toThrow(
      /secret-key and .*admin-token are missing or empty, but .*mongo holds data/,
    );
    expect(await readFile(other.secretKey, 'utf8')).toBe('\n');
    expect(await readFile(other.adminToken, 'utf8')).toBe('');

    // Without data (an empty store folder counts as none), empty files are filled.
    await rm(join(other.mongoDir, 'data.sqlite'));
    const again = await ensureSecrets(other);
    expect(again.created).toEqual(['secret-key', 'admin-token']);
    expect(again.secretKey).not.toBe(first.secretKey);
    expect((await readFile(other.secretKey, 'utf8')).trim()).toBe(again.secretKey);
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
