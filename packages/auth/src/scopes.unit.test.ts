import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { hasScope, isScope, normalizeScopes, SCOPES, Scope, Scopes } from './scopes.js';

describe('scopes', () => {
  it('are the four of the architecture, from the schema', () => {
    expect(SCOPES).toEqual(['transfers:write', 'transfers:read', 'serials:read', 'admin']);
    for (const scope of SCOPES) expect(Value.Check(Scope, scope)).toBe(true);
    expect(Value.Check(Scope, 'transfers:delete')).toBe(false);
  });

  it('a token holds at least one scope, each once', () => {
    expect(Value.Check(Scopes, ['transfers:read'])).toBe(true);
    expect(Value.Check(Scopes, [])).toBe(false);
    expect(Value.Check(Scopes, ['admin', 'admin'])).toBe(false);
    expect(Value.Check(Scopes, ['admin', 'root'])).toBe(false);
  });

  it('isScope tells scopes from anything else', () => {
    expect(isScope('serials:read')).toBe(true);
    expect(isScope('SERIALS:READ')).toBe(false);
    expect(isScope('')).toBe(false);
    expect(isScope(undefined)).toBe(false);
    expect(isScope(['admin'])).toBe(false);
  });

  it('a scope grants itself only: write does not read, transfers:read does not see serials', () => {
    expect(hasScope(['transfers:write'], 'transfers:write')).toBe(true);
    expect(hasScope(['transfers:write'], 'transfers:read')).toBe(false);
    expect(hasScope(['transfers:read'], 'serials:read')).toBe(false);
    expect(hasScope(['serials:read'], 'transfers:read')).toBe(false);
    expect(hasScope(['transfers:read', 'serials:read'], 'serials:read')).toBe(true);
    expect(hasScope(['transfers:write', 'transfers:read', 'serials:read'], 'admin')).toBe(false);
    expect(hasScope([], 'transfers:read')).toBe(false);
  });

  it('admin implies every scope', () => {
    for (const scope of SCOPES) expect(hasScope(['admin'], scope)).toBe(true);
  });

  it('normalizeScopes drops repeats and orders as SCOPES', () => {
    expect(normalizeScopes(['admin', 'transfers:read', 'admin', 'transfers:write'])).toEqual([
      'transfers:write',
      'transfers:read',
      'admin',
    ]);
  });
});
