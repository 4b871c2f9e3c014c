import { SecretBox } from '@interco/erpnext';
import { ConfigError } from '@interco/service';
import { describe, expect, it } from 'vitest';
import { loadIntakeConfig } from './config.js';

const KEY = SecretBox.generateKeyText();

function problems(env: Record<string, string>) {
  try {
    loadIntakeConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadIntakeConfig', () => {
  it('takes the previous keys of a rotation (open only), refusing a bad or repeated one without echoing it', () => {
    const previous = SecretBox.generateKeyText();
    const config = loadIntakeConfig({ INTERCO_SECRET_KEY: KEY, INTERCO_SECRET_KEY_PREVIOUS: previous });
    expect(config.box.fingerprint).toBe(SecretBox.fromKeyText(KEY).fingerprint);
    expect(config.box.previousFingerprints).toEqual([SecretBox.fromKeyText(previous).fingerprint]);
    expect(loadIntakeConfig({ INTERCO_SECRET_KEY: KEY }).box.previousFingerprints).toEqual([]);
    for (const bad of [KEY, `${previous},${previous}`, `${previous},dG9vLXNob3J0`]) {
      const list = problems({ INTERCO_SECRET_KEY: KEY, INTERCO_SECRET_KEY_PREVIOUS: bad });
      expect(list.map((problem) => problem.variable)).toEqual(['INTERCO_SECRET_KEY_PREVIOUS']);
      expect(JSON.stringify(list)).not.toContain(previous);
      expect(JSON.stringify(list)).not.toContain(KEY);
      expect(JSON.stringify(list)).not.toContain('dG9vLXNob3J0');
    }
  });

  it('needs only INTERCO_SECRET_KEY; the rest has defaults', () => {
    const config = loadIntakeConfig({ INTERCO_SECRET_KEY: KEY });
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'interco',
      host: '0.0.0.0',
      port: 8080,
      logLevel: 'info',
      bootstrapHash: undefined,
      maxSerials: 100_000,
      maxItems: 1000,
      statusBaseUrl: undefined,
      chunking: { fingerprint: 'v2;spd=1000;rpd=50;spr=1000;rb=49152;db=4194304' },
    });
  });

  it('reads the console’s CORS origins, each checked as an origin', () => {
    expect(loadIntakeConfig({ INTERCO_SECRET_KEY: KEY }).corsOrigins).toEqual([]);
    const config = loadIntakeConfig({
      INTERCO_SECRET_KEY: KEY,
      INTAKE_CORS_ORIGINS: ' http://127.0.0.1:8085, https://ops.example.com,,http://127.0.0.1:8085 ',
    });
    expect(config.corsOrigins).toEqual(['http://127.0.0.1:8085', 'https://ops.example.com']);
    for (const bad of [
      'http://127.0.0.1:8085/',
      'https://ops.example.com/console',
      '127.0.0.1:8085',
      'ftp://x',
      '*',
    ]) {
      const list = problems({ INTERCO_SECRET_KEY: KEY, INTAKE_CORS_ORIGINS: `https://ok.example,${bad}` });
      expect(list, bad).toEqual([
        {
          variable: 'INTAKE_CORS_ORIGINS',
          message: `"${bad}" is not an origin: write scheme://host[:port] (e.g. http://127.0.0.1:8085), without a path or a trailing slash`,
        },
      ]);
    }
  });

  it('maps the chunking variables to the chunking limits', () => {
    const config = loadIntakeConfig({
      INTERCO_SECRET_KEY: KEY,
      INTERCO_MAX_SERIALS_PER_DOCUMENT: '500',
      INTERCO_MAX_ROWS_PER_DOCUMENT: '20',
      INTERCO_MAX_ROW_BYTES: '10000',
      INTERCO_MAX_SERIALS_PER_ROW: '100',
      INTERCO_MAX_DOCUMENT_BYTES: '1048576',
    });
    expect(config.chunking.fingerprint).toBe('v2;spd=500;rpd=20;spr=100;rb=10000;db=1048576');
  });

  it('lists every problem at once, never echoing the secret key', () => {
    const list = problems({
      INTERCO_SECRET_KEY: 'dG9vLXNob3J0',
      INTERCO_BOOTSTRAP_TOKEN_HASH: 'abc',
      INTERCO_MAX_ROW_BYTES: '10',
      INTERCO_MAX_SERIALS: '0',
    });
    expect(list.map((problem) => problem.variable).sort()).toEqual([
      'INTERCO_BOOTSTRAP_TOKEN_HASH',
      'INTERCO_MAX_SERIALS',
      'INTERCO_SECRET_KEY',
    ]);
    expect(JSON.stringify(list)).not.toContain('dG9vLXNob3J0');
    const second = problems({ INTERCO_SECRET_KEY: 'dG9vLXNob3J0', INTERCO_MAX_ROW_BYTES: '10' });
    expect(second.map((problem) => problem.variable).sort()).toEqual([
      'INTERCO_MAX_ROW_BYTES',
      'INTERCO_SECRET_KEY',
    ]);
    expect(JSON.stringify(second)).not.toContain('dG9vLXNob3J0');
  });

  it('refuses a missing secret key', () => {
    expect(problems({}).map((problem) => problem.variable)).toContain('INTERCO_SECRET_KEY');
  });
});
