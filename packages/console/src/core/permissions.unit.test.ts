import { describe, expect, it } from 'vitest';
import { permissionsOf } from './permissions.js';

describe('permissionsOf', () => {
  it('offers only what the scopes allow', () => {
    expect(permissionsOf(['transfers:read'])).toEqual({
      readTransfers: true,
      writeTransfers: false,
      readSerials: false,
      admin: false,
    });
    expect(permissionsOf(['transfers:read', 'transfers:write', 'serials:read'])).toEqual({
      readTransfers: true,
      writeTransfers: true,
      readSerials: true,
      admin: false,
    });
    expect(permissionsOf(['serials:read']).readSerials).toBe(false);
    expect(permissionsOf([])).toEqual({
      readTransfers: false,
      writeTransfers: false,
      readSerials: false,
      admin: false,
    });
  });

  it('gives admin everything', () => {
    expect(permissionsOf(['admin'])).toEqual({
      readTransfers: true,
      writeTransfers: true,
      readSerials: true,
      admin: true,
    });
  });
});
