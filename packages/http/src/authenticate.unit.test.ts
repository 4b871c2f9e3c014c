import { describe, expect, it } from 'vitest';
import { credentialOf } from './authenticate.js';

describe('credentialOf', () => {
  it('passes the header on as it is, unless the route takes the plan’s Token scheme', () => {
    expect(credentialOf('Bearer ick_x', false)).toBe('Bearer ick_x');
    expect(credentialOf('Token ick_x', false)).toBe('Token ick_x');
    expect(credentialOf('Token ick_x', true)).toBe('ick_x');
    expect(credentialOf('  token\tick_x ', true)).toBe('ick_x');
    expect(credentialOf('Bearer ick_x', true)).toBe('Bearer ick_x');
    expect(credentialOf(undefined, true)).toBeUndefined();
  });
});
