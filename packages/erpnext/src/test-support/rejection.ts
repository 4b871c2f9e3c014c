/**
 * The error a promise rejects with, which must be an instance of `kind` (default Error): any
 * other rejection is rethrown, and a promise that resolves fails the test.
 */
export async function rejection<E extends Error = Error>(
  promise: Promise<unknown>,
  kind: abstract new (...args: never[]) => E = Error as unknown as abstract new (
    ...args: never[]
  ) => E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
