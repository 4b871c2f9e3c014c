import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigChecks } from './config-checks.js';
import { ConfigError } from './config-error.js';

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, default: 8080 }),
  KEY: Type.String({ minLength: 1 }),
  HASH: Type.Optional(Type.String()),
});

const hexKey = (text: string) => {
  if (!/^[0-9a-f]{8}$/.test(text)) throw new Error('must be 8 hex characters');
  return text;
};

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('ConfigChecks', () => {
  it('answers the converted environment and the checked values when all is well', () => {
    const env = { KEY: 'deadbeef', HASH: 'cafebabe' };
    const checks = new ConfigChecks(Schema, env);
    expect(checks.check('KEY', () => hexKey(env.KEY))).toBe('deadbeef');
    expect(checks.optional('HASH', env, hexKey)).toBe('cafebabe');
    expect(checks.done()).toEqual({ PORT: 8080, KEY: 'deadbeef', HASH: 'cafebabe' });
  });

  it('lists the schema’s problems and the checks’ together, one per variable, values never echoed', () => {
    const env = { PORT: 'abc', KEY: 'not-a-key-secret', HASH: 'zz' };
    const checks = new ConfigChecks(Schema, env);
    expect(checks.check('PORT', () => 1)).toBeUndefined(); // already refused by the schema
    expect(checks.check('KEY', () => hexKey(env.KEY))).toBeUndefined();
    checks.optional('HASH', env, hexKey);
    checks.problem('HASH', 'second problem of the same variable is kept when said explicitly');
    const problems = problemsOf(() => checks.done());
    expect(problems.map((problem) => problem.variable)).toEqual(['PORT', 'KEY', 'HASH', 'HASH']);
    expect(JSON.stringify(problems)).not.toContain('not-a-key-secret');
  });

  it('takes a blank optional variable as unset', () => {
    const env = { KEY: 'deadbeef', HASH: '  ' };
    const checks = new ConfigChecks(Schema, env);
    expect(checks.optional('HASH', env, hexKey)).toBeUndefined();
    expect(checks.problems).toEqual([]);
  });
});
