import { describe, expect, it } from 'vitest';
import { submitOutcome } from './submit-outcome.js';

describe('submitOutcome', () => {
  it('tells accepted, replayed, rejected and error apart by status', () => {
    expect(submitOutcome(202, false)).toBe('accepted');
    expect(submitOutcome(202, true)).toBe('replayed');
    for (const status of [400, 401, 403, 409, 413, 415, 422])
      expect(submitOutcome(status, false)).toBe('rejected');
    expect(submitOutcome(503, false)).toBe('error');
    expect(submitOutcome(500, true)).toBe('error');
  });
});
