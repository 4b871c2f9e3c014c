import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isEntryPoint } from './entry-point.js';

const self = import.meta.url;
const selfPath = fileURLToPath(self);

describe('isEntryPoint', () => {
  it('is true for the started script, also through a symlink (a bin link)', () => {
    expect(isEntryPoint(self, selfPath)).toBe(true);
    const link = join(mkdtempSync(join(tmpdir(), 'entry-point-')), 'bin-link');
    symlinkSync(selfPath, link);
    expect(isEntryPoint(self, link)).toBe(true);
  });

  it('is false for another script, a missing one, or none', () => {
    expect(isEntryPoint(self, fileURLToPath(new URL('./shutdown.ts', self)))).toBe(false);
    expect(isEntryPoint(self, '/no/such/script.js')).toBe(false);
    expect(isEntryPoint(self, undefined)).toBe(false);
  });
});
