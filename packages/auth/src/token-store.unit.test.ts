import { describe, expect, it } from 'vitest';
import { mintProblems } from './token-store.js';

const now = new Date('2030-01-01T00:00:00Z');

describe('mintProblems', () => {
  it('accepts a name, known scopes, and an expiry in the future', () => {
    expect(mintProblems({ name: 'ci', scopes: ['transfers:write'] }, now)).toEqual([]);
    expect(
      mintProblems(
        { name: 'Ana (ops)', scopes: ['admin', 'admin'], expiresAt: new Date('2030-01-02T00:00:00Z') },
        now,
      ),
    ).toEqual([]);
  });

  it('lists every problem by path, without the values given', () => {
    const problems = mintProblems(
      { name: 'line\nbreak', scopes: ['transfers:read', 'root', 'ick_secret'], expiresAt: now },
      now,
    );
    expect(problems).toEqual([
      { path: 'name', message: 'must be 1 to 140 characters, without control characters' },
      {
        path: 'scopes[1]',
        message: 'is not a scope (one of transfers:write, transfers:read, serials:read, admin)',
      },
      {
        path: 'scopes[2]',
        message: 'is not a scope (one of transfers:write, transfers:read, serials:read, admin)',
      },
      { path: 'expiresAt', message: 'must be in the future' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('ick_secret');
  });

  it.each([
    ['no input', undefined, ['name', 'scopes']],
    ['an empty name and no scopes', { name: '', scopes: [] }, ['name', 'scopes']],
    ['a name too long', { name: 'x'.repeat(141), scopes: ['admin'] }, ['name']],
    ['scopes not a list', { name: 'a', scopes: 'admin' }, ['scopes']],
    ['an invalid date', { name: 'a', scopes: ['admin'], expiresAt: new Date('nope') }, ['expiresAt']],
    ['a date as text', { name: 'a', scopes: ['admin'], expiresAt: '2031-01-01' }, ['expiresAt']],
  ])('%s', (_n, input, paths) => {
    expect(mintProblems(input, now).map((p) => p.path)).toEqual(paths);
  });
});
