/**
 * A store operation that cannot be done, as a value with a kind:
 * - `exists`: a record created twice;
 * - `conflict`: a compare-and-set that kept losing to other writers;
 * - `invalid`: a stored (or given) value that does not pass its schema;
 * - `missing`: nothing stored under that name;
 * - `tampered`: stored content that does not open or does not match its digest.
 * Messages name keys and transfer ids, never serials or secrets.
 */
export class StoreError extends Error {
  constructor(
    readonly kind: 'exists' | 'conflict' | 'invalid' | 'missing' | 'tampered',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
