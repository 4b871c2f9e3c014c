import { SecretBox } from '@interco/erpnext';
import { ConfigError } from '@interco/service';
import { describe, expect, it } from 'vitest';
import { loadTrackerConfig } from './config.js';

const KEY = SecretBox.generateKeyText();
const BASE = { INTERCO_SECRET_KEY: KEY, MONGODB_URL: 'mongodb://127.0.0.1:27017' };

function problems(env: Record<string, string>) {
  try {
    loadTrackerConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadTrackerConfig', () => {
  it('takes the previous keys of a rotation (open only), refusing the current key again without echoing it', () => {
    const previous = SecretBox.generateKeyText();
    const config = loadTrackerConfig({ ...BASE, INTERCO_SECRET_KEY_PREVIOUS: previous });
    expect(config.box.previousFingerprints).toEqual([SecretBox.fromKeyText(previous).fingerprint]);
    const list = problems({ ...BASE, INTERCO_SECRET_KEY_PREVIOUS: `${previous},${KEY}` });
    expect(list).toEqual([
      {
        variable: 'INTERCO_SECRET_KEY_PREVIOUS',
        message: 'key 2 of 2 is INTERCO_SECRET_KEY itself: a key is either current or previous',
      },
    ]);
  });

  it('needs INTERCO_SECRET_KEY and MONGODB_URL; the rest has defaults', () => {
    const config = loadTrackerConfig(BASE);
    expect(config).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'interco',
      host: '0.0.0.0',
      port: 8085,
      logLevel: 'info',
      mongoUrl: 'mongodb://127.0.0.1:27017',
      mongoDb: 'interco',
      bootstrapHash: undefined,
      stuckAfterMs: 900_000,
      startSequence: undefined,
      startTime: undefined,
      batchSize: 256,
      maxLiveStreams: 100,
      liveDrainTimeoutMs: 30_000,
      countsMaxAgeMs: 5_000,
      countsTimeoutMs: 10_000,
      consoleIntakeUrl: '',
    });
    expect(config.box).toBeInstanceOf(SecretBox);
  });

  it('reads the console’s intake URL (no trailing slash), refusing what is not an http(s) URL', () => {
    const read = (url: string) => loadTrackerConfig({ ...BASE, TRACKER_CONSOLE_INTAKE_URL: url });
    expect(read('http://127.0.0.1:8080').consoleIntakeUrl).toBe('http://127.0.0.1:8080');
    expect(read('https://intake.example.com/').consoleIntakeUrl).toBe('https://intake.example.com');
    expect(read('https://ops.example.com/intake/').consoleIntakeUrl).toBe('https://ops.example.com/intake');
    expect(read('  ').consoleIntakeUrl).toBe('');
    const cases: [string, string][] = [
      ['intake:8080', 'must be an http or https URL'],
      ['not a url', 'must be a URL, e.g. http://127.0.0.1:8080'],
      ['ftp://intake', 'must be an http or https URL'],
      ['http://user:pw@intake:8080', 'must not carry a user name or password'],
      ['http://intake:8080/?x=1', 'must not have a query or a fragment'],
    ];
    for (const [url, message] of cases) {
      expect(problems({ ...BASE, TRACKER_CONSOLE_INTAKE_URL: url }), url).toEqual([
        { variable: 'TRACKER_CONSOLE_INTAKE_URL', message },
      ]);
    }
  });

  it('reads the tracker variables', () => {
    const config = loadTrackerConfig({
      ...BASE,
      MONGODB_DB: 'tracker_test',
      TRACKER_STUCK_AFTER_MS: '60000',
      TRACKER_START_TIME: '2026-01-05T10:00:00Z',
      TRACKER_BATCH_SIZE: '1000',
      PORT: '9000',
    });
    expect(config).toMatchObject({
      mongoDb: 'tracker_test',
      stuckAfterMs: 60_000,
      batchSize: 1000,
      port: 9000,
    });
    expect(config.startTime?.toISOString()).toBe('2026-01-05T10:00:00.000Z');
    expect(loadTrackerConfig({ ...BASE, TRACKER_START_SEQUENCE: '42' }).startSequence).toBe(42);
  });

  it('reads the /v1/live limits and the counts cache’s settings, within their bounds', () => {
    expect(
      loadTrackerConfig({ ...BASE, TRACKER_MAX_LIVE_STREAMS: '250', TRACKER_LIVE_DRAIN_TIMEOUT_MS: '5000' }),
    ).toMatchObject({ maxLiveStreams: 250, liveDrainTimeoutMs: 5_000 });
    expect(
      loadTrackerConfig({ ...BASE, TRACKER_COUNTS_MAX_AGE_MS: '0', TRACKER_COUNTS_TIMEOUT_MS: '30000' }),
    ).toMatchObject({ countsMaxAgeMs: 0, countsTimeoutMs: 30_000 });
    expect(
      problems({ ...BASE, TRACKER_COUNTS_MAX_AGE_MS: '-1', TRACKER_COUNTS_TIMEOUT_MS: '99' })
        .map((problem) => problem.variable)
        .sort(),
    ).toEqual(['TRACKER_COUNTS_MAX_AGE_MS', 'TRACKER_COUNTS_TIMEOUT_MS']);
    const found = problems({
      ...BASE,
      TRACKER_MAX_LIVE_STREAMS: '0',
      TRACKER_LIVE_DRAIN_TIMEOUT_MS: '999',
    });
    expect(found.map((problem) => problem.variable).sort()).toEqual([
      'TRACKER_LIVE_DRAIN_TIMEOUT_MS',
      'TRACKER_MAX_LIVE_STREAMS',
    ]);
    expect(
      problems({ ...BASE, TRACKER_MAX_LIVE_STREAMS: '10001', TRACKER_LIVE_DRAIN_TIMEOUT_MS: 'soon' }).map(
        (problem) => problem.variable,
      ),
    ).toHaveLength(2);
  });

  it('lists every problem at once, never echoing the secret key', () => {
    const found = problems({
      INTERCO_SECRET_KEY: 'not-a-key-but-secret',
      TRACKER_BATCH_SIZE: '0',
      TRACKER_START_TIME: 'yesterday',
    });
    const variables = found.map((problem) => problem.variable).sort();
    expect(variables).toEqual(
      expect.arrayContaining([
        'INTERCO_SECRET_KEY',
        'MONGODB_URL',
        'TRACKER_BATCH_SIZE',
        'TRACKER_START_TIME',
      ]),
    );
    expect(JSON.stringify(found)).not.toContain('not-a-key-but-secret');
  });

  it('refuses both start positions at once, and a bad bootstrap hash', () => {
    const found = problems({
      ...BASE,
      TRACKER_START_SEQUENCE: '5',
      TRACKER_START_TIME: '2026-01-05T10:00:00Z',
      INTERCO_BOOTSTRAP_TOKEN_HASH: 'xyz',
    });
    expect(found.map((problem) => problem.variable).sort()).toEqual([
      'INTERCO_BOOTSTRAP_TOKEN_HASH',
      'TRACKER_START_TIME',
    ]);
  });
});
