/**
 * What an Interco API token looks like, so the CLI can avoid echoing one given by mistake (as an
 * argument, as a file name). The prefix is @interco/auth's TOKEN_PREFIX (a test keeps them equal;
 * the CLI does not depend on auth at run time).
 */
export const TOKEN_PREFIX = 'ick';

/** Whether a text may be (or hold) an API token. */
export function looksLikeToken(text: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9])${TOKEN_PREFIX}_`).test(text);
}

/** An argument as quoted in a message: itself, or a placeholder when it may be a token. */
export function shownArgument(text: string): string {
  return looksLikeToken(text) ? '(not shown: it looks like an API token)' : JSON.stringify(text);
}
