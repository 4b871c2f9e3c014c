import { describe, expect, it } from 'vitest';
import { generateToken, parseToken } from '../token-format.js';
import { hashToken } from '../token-hash.js';
import { hashTokenCommand, USAGE } from './hash-token.js';

const noInput = () => Promise.reject(new Error('stdin must not be read'));

describe('interco-hash-token', () => {
  it('prints the hash of the token on stdin (a trailing newline is fine)', async () => {
    const { token } = generateToken();
    expect(await hashTokenCommand([], async () => `${token}\n`)).toEqual({
      code: 0,
      stdout: `${hashToken(token)}\n`,
      stderr: '',
    });
  });

  it('refuses stdin that is not a token, without printing it', async () => {
    const result = await hashTokenCommand([], async () => 'hunter2\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('stdin does not hold an Interco token (ick_<id>_<secret>, 60 characters)\n');
  });

  it('--new prints a new token and the line for the environment, its hash', async () => {
    const result = await hashTokenCommand(['--new'], noInput);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const token = lines[1] ?? '';
    expect(parseToken(token)).toBeDefined();
    expect(lines[3]).toBe(`INTERCO_BOOTSTRAP_TOKEN_HASH=${hashToken(token)}`);
  });

  it('--help prints the usage; anything else prints it on stderr with code 2', async () => {
    expect(await hashTokenCommand(['--help'], noInput)).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(await hashTokenCommand(['--nwe'], noInput)).toEqual({ code: 2, stdout: '', stderr: USAGE });
    expect(await hashTokenCommand(['--new', 'x'], noInput)).toMatchObject({ code: 2 });
  });
});
