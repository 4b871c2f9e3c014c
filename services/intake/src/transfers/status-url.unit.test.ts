import { describe, expect, it } from 'vitest';
import { statusUrlFor } from './status-url.js';

describe('statusUrlFor', () => {
  it('is the path alone without a base, the base and the path with one', () => {
    expect(statusUrlFor(undefined)('tr_1')).toBe('/v1/transfers/tr_1');
    expect(statusUrlFor('https://tracker.example/')('tr_1')).toBe(
      'https://tracker.example/v1/transfers/tr_1',
    );
    expect(statusUrlFor('https://x.example/interco//')('tr_1')).toBe(
      'https://x.example/interco/v1/transfers/tr_1',
    );
  });
});
