import { TOKEN_PREFIX as AUTH_TOKEN_PREFIX, mintBootstrapToken } from '@interco/auth';
import { describe, expect, it } from 'vitest';
import { looksLikeToken, shownArgument, TOKEN_PREFIX } from './token-shape.js';

describe('token shape', () => {
  it('uses the prefix @interco/auth gives every token', () => {
    expect(TOKEN_PREFIX).toBe(AUTH_TOKEN_PREFIX);
    expect(looksLikeToken(mintBootstrapToken().token)).toBe(true);
  });

  it('quotes an ordinary argument, never one that looks like a token', () => {
    expect(shownArgument('tr_2')).toBe('"tr_2"');
    expect(looksLikeToken('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B')).toBe(false);
    expect(looksLikeToken('/home/nick_s/token')).toBe(false);
    expect(looksLikeToken('/work/ick_abc')).toBe(true);
    const token = mintBootstrapToken().token;
    expect(shownArgument(token)).not.toContain(token.slice(0, 4));
  });
});
