import { type Static, Type } from '@sinclair/typebox';

/**
 * What a token may do. `transfers:write` creates, retries and cancels transfers;
 * `transfers:read` reads them without serial numbers; `serials:read` reads serial numbers (they
 * may be PINs, so seeing them is a scope of its own); `admin` is the admin endpoints (tokens,
 * ERPNext instances).
 */
export const Scope = Type.Union(
  [
    Type.Literal('transfers:write'),
    Type.Literal('transfers:read'),
    Type.Literal('serials:read'),
    Type.Literal('admin'),
  ],
  { $id: 'Scope', description: 'what a token may do' },
);
export type Scope = Static<typeof Scope>;

/** Every scope, in the order of the schema. */
export const SCOPES: readonly Scope[] = Scope.anyOf.map((literal) => literal.const);

/** A token's scopes: at least one, each once. */
export const Scopes = Type.Array(Scope, { minItems: 1, uniqueItems: true, $id: 'Scopes' });
export type Scopes = Static<typeof Scopes>;

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/**
 * Whether `granted` allows what `needed` protects. `admin` implies every scope: whoever can mint
 * tokens can mint one with any scope, so keeping admin out of, say, `serials:read` would protect
 * nothing. No other scope implies another: `transfers:write` does not read, and
 * `transfers:read` does not see serial numbers.
 */
export function hasScope(granted: readonly Scope[], needed: Scope): boolean {
  return granted.includes(needed) || granted.includes('admin');
}

/** Scopes without repeats, in the order of SCOPES (how records store them). */
export function normalizeScopes(scopes: readonly Scope[]): Scope[] {
  return SCOPES.filter((scope) => scopes.includes(scope));
}
