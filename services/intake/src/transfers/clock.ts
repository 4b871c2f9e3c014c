/** What the time is for intake's writes: `deps.now` when given (tests), else the clock. */
export function now(deps: { readonly now?: (() => Date) | undefined }): Date {
  return deps.now === undefined ? new Date() : deps.now();
}
