import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, isConfigError } from './config-error.js';
import { HttpConfig, httpConfig, LogConfig, NatsConfig } from './fragments.js';
import { isSecretVariable, loadConfig } from './load-config.js';

function problemsOf(run: () => unknown): ConfigError['problems'] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig conversions', () => {
  const schema = Type.Object({
    COUNT: Type.Integer({ minimum: 1, maximum: 10 }),
    RATIO: Type.Number(),
    ENABLED: Type.Boolean(),
    NAME: Type.String({ minLength: 2 }),
    MODE: Type.Union([Type.Literal('fast'), Type.Literal('safe')]),
    ANSWER: Type.Literal(42),
  });
  const base = { COUNT: '3', RATIO: '0.5', ENABLED: 'true', NAME: 'po-a', MODE: 'safe', ANSWER: '42' };

  it('converts integers, numbers, booleans and literals from their text', () => {
    expect(loadConfig(schema, base)).toEqual({
      COUNT: 3,
      RATIO: 0.5,
      ENABLED: true,
      NAME: 'po-a',
      MODE: 'safe',
      ANSWER: 42,
    });
  });

  it('reads integers with a sign and surrounding spaces', () => {
    expect(loadConfig(schema, { ...base, COUNT: ' +7 ' }).COUNT).toBe(7);
  });

  it.each([
    ['1e3', 1000],
    ['-2.5', -2.5],
    ['.25', 0.25],
    ['10', 10],
  ])('reads the number %s', (text, value) => {
    expect(loadConfig(schema, { ...base, RATIO: text }).RATIO).toBe(value);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['off', false],
  ])('reads the boolean %s', (text, value) => {
    expect(loadConfig(schema, { ...base, ENABLED: text }).ENABLED).toBe(value);
  });

  it.each(['3.5', '12abc', '0x10', '1e2', '', ' '])('refuses %j as an integer', (text) => {
    const problems = problemsOf(() => loadConfig(schema, { ...base, COUNT: text }));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.variable).toBe('COUNT');
    expect(problems[0]?.message).toMatch(/(must be|is not set: expected) an integer from 1 to 10/);
  });

  it('refuses an integer out of range', () => {
    expect(problemsOf(() => loadConfig(schema, { ...base, COUNT: '11' }))).toEqual([
      { variable: 'COUNT', message: 'must be an integer from 1 to 10; got "11"' },
    ]);
  });

  it.each(['abc', '0x10', 'Infinity', 'NaN', '1,5'])('refuses %j as a number', (text) => {
    expect(problemsOf(() => loadConfig(schema, { ...base, RATIO: text }))).toEqual([
      { variable: 'RATIO', message: `must be a number; got ${JSON.stringify(text)}` },
    ]);
  });

  it('refuses a word that is not a boolean', () => {
    expect(problemsOf(() => loadConfig(schema, { ...base, ENABLED: 'maybe' }))).toEqual([
      { variable: 'ENABLED', message: 'must be true or false (also 1/0, yes/no, on/off); got "maybe"' },
    ]);
  });

  it('refuses a value that is not one of a union of literals, listing them', () => {
    expect(problemsOf(() => loadConfig(schema, { ...base, MODE: 'slow' }))).toEqual([
      { variable: 'MODE', message: 'must be one of fast, safe; got "slow"' },
    ]);
  });

  it('checks strings against their schema', () => {
    expect(problemsOf(() => loadConfig(schema, { ...base, NAME: 'x' }))).toEqual([
      { variable: 'NAME', message: 'must be a string at least 2 characters; got "x"' },
    ]);
  });

  it('keeps strings as they are (no trimming)', () => {
    expect(loadConfig(schema, { ...base, NAME: ' a b ' }).NAME).toBe(' a b ');
  });
});

describe('loadConfig defaults, optional and unknown variables', () => {
  it('applies defaults to variables not set or set to the empty string', () => {
    const schema = Type.Object({ ...NatsConfig, ...httpConfig(8081), ...LogConfig });
    expect(loadConfig(schema, { NATS_URL: '', LOG_LEVEL: undefined })).toEqual({
      NATS_URL: 'nats://127.0.0.1:4222',
      INTERCO_NAMESPACE: 'interco',
      HOST: '0.0.0.0',
      PORT: 8081,
      LOG_LEVEL: 'info',
    });
  });

  it('uses what is set over the defaults', () => {
    const schema = Type.Object({ ...NatsConfig, ...httpConfig(8081), ...LogConfig });
    expect(
      loadConfig(schema, {
        NATS_URL: 'nats://nats:4222',
        INTERCO_NAMESPACE: 't_abc',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'debug',
      }),
    ).toEqual({
      NATS_URL: 'nats://nats:4222',
      INTERCO_NAMESPACE: 't_abc',
      HOST: '127.0.0.1',
      PORT: 0,
      LOG_LEVEL: 'debug',
    });
  });

  it('requires PORT when HttpConfig (without a default port) is used', () => {
    expect(problemsOf(() => loadConfig(Type.Object(HttpConfig), {}))).toEqual([
      { variable: 'PORT', message: 'is not set: expected an integer from 0 to 65535' },
    ]);
  });

  it('leaves an optional variable without default out', () => {
    const schema = Type.Object({
      REFERENCE: Type.Optional(Type.String()),
      LIMIT: Type.Optional(Type.Integer()),
    });
    expect(loadConfig(schema, {})).toEqual({});
    expect(loadConfig(schema, { LIMIT: '5' })).toEqual({ LIMIT: 5 });
  });

  it('gives every call its own copy of an object default', () => {
    const schema = Type.Object({ LIST: Type.Optional(Type.Unknown({ default: { a: 1 } })) });
    const first = loadConfig(schema, {}) as { LIST: { a: number } };
    first.LIST.a = 2;
    expect(loadConfig(schema, {})).toEqual({ LIST: { a: 1 } });
  });

  it('ignores variables the schema does not name', () => {
    const schema = Type.Object({ ...LogConfig });
    expect(loadConfig(schema, { LOG_LEVEL: 'warn', PATH: '/bin', OTHER_SECRET: 'x' })).toEqual({
      LOG_LEVEL: 'warn',
    });
  });

  it('refuses a namespace that does not fit subject and bucket names', () => {
    expect(problemsOf(() => loadConfig(Type.Object(NatsConfig), { INTERCO_NAMESPACE: 'Bad-Name' }))).toEqual([
      {
        variable: 'INTERCO_NAMESPACE',
        message: 'must be a string matching ^[a-z][a-z0-9_]{0,30}$; got "Bad-Name"',
      },
    ]);
  });

  it('reads process.env when no environment is given', () => {
    process.env.INTERCO_SERVICE_TEST_LEVEL = 'trace';
    try {
      const schema = Type.Object({ INTERCO_SERVICE_TEST_LEVEL: LogConfig.LOG_LEVEL });
      expect(loadConfig(schema)).toEqual({ INTERCO_SERVICE_TEST_LEVEL: 'trace' });
    } finally {
      delete process.env.INTERCO_SERVICE_TEST_LEVEL;
    }
  });
});

describe('ConfigError', () => {
  const schema = Type.Object({
    ...NatsConfig,
    ...HttpConfig,
    ...LogConfig,
    INTERCO_SECRET_KEY: Type.String({ minLength: 44 }),
    STEP_CONCURRENCY: Type.Integer({ minimum: 1 }),
  });

  it('lists every problem at once, in schema order', () => {
    const problems = problemsOf(() =>
      loadConfig(schema, { INTERCO_NAMESPACE: 'X', LOG_LEVEL: 'loud', STEP_CONCURRENCY: '0' }),
    );
    expect(problems.map((problem) => problem.variable)).toEqual([
      'INTERCO_NAMESPACE',
      'PORT',
      'LOG_LEVEL',
      'INTERCO_SECRET_KEY',
      'STEP_CONCURRENCY',
    ]);
    expect(problems).toContainEqual({
      variable: 'LOG_LEVEL',
      message: 'must be one of fatal, error, warn, info, debug, trace, silent; got "loud"',
    });
    expect(problems).toContainEqual({
      variable: 'STEP_CONCURRENCY',
      message: 'must be an integer of at least 1; got "0"',
    });
    expect(problems).toContainEqual({
      variable: 'INTERCO_SECRET_KEY',
      message: 'is not set: expected a string at least 44 characters',
    });
  });

  it('says every problem in its message too, and is recognised as a ConfigError', () => {
    try {
      loadConfig(schema, { PORT: 'http' });
      expect.unreachable();
    } catch (error) {
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).name).toBe('ConfigError');
      expect((error as Error).message).toContain('PORT must be an integer from 0 to 65535; got "http"');
      expect((error as Error).message).toContain('INTERCO_SECRET_KEY is not set');
    }
  });

  it.each(['INTERCO_SECRET_KEY', 'ERP_API_KEY', 'BOOTSTRAP_TOKEN', 'DB_PASSWORD', 'api_secret'])(
    'never shows the value of %s',
    (variable) => {
      const secret = 'hunter2-do-not-show';
      const secretSchema = Type.Object({ [variable]: Type.String({ minLength: 100 }) });
      let thrown: unknown;
      try {
        loadConfig(secretSchema, { [variable]: secret });
      } catch (error) {
        thrown = error;
      }
      expect(isSecretVariable(variable)).toBe(true);
      expect(thrown).toBeInstanceOf(ConfigError);
      const error = thrown as ConfigError;
      expect(error.problems).toEqual([
        { variable, message: 'must be a string at least 100 characters; its value is not shown (secret)' },
      ]);
      expect(JSON.stringify(error.problems)).not.toContain('hunter2');
      expect(error.message).not.toContain('hunter2');
      expect(String(error.stack)).not.toContain('hunter2');
    },
  );

  it('masks credentials in a URL it shows', () => {
    const urlSchema = Type.Object({ NATS_URL: Type.String({ pattern: '^tls://' }) });
    const problems = problemsOf(() => loadConfig(urlSchema, { NATS_URL: 'nats://user:pa55@nats:4222' }));
    expect(problems).toEqual([
      { variable: 'NATS_URL', message: 'must be a string matching ^tls://; got "nats://***@nats:4222"' },
    ]);
  });

  it('shortens a long value it shows', () => {
    const problems = problemsOf(() => loadConfig(Type.Object(LogConfig), { LOG_LEVEL: 'x'.repeat(500) }));
    expect(problems[0]?.message).toMatch(/got "x{80}…"$/);
  });
});
