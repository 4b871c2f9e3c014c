import { type Problem, pointerToPath, registerFormats } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Scopes } from './scopes.js';
import { TOKEN_ID_LENGTH } from './token-format.js';
import { TOKEN_HASH_PATTERN } from './token-hash.js';

/** A token id: 12 lowercase base32 characters (the KV key, and the actor in events). */
export const TokenId = Type.String({
  pattern: `^[a-z2-7]{${TOKEN_ID_LENGTH}}$`,
  $id: 'TokenId',
  description: 'the token id: the actor recorded in events',
});

/** A token's name: who or what holds it, for people reading lists and logs. */
export const TokenName = Type.String({
  minLength: 1,
  maxLength: 140,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'who or what holds the token, e.g. "ci-pipeline" or "ana@example.com"',
});

const common = {
  id: TokenId,
  name: TokenName,
  scopes: Scopes,
  created_at: Type.String({ format: 'date-time' }),
  expires_at: Type.Optional(
    Type.String({ format: 'date-time', description: 'the token is refused from this moment on' }),
  ),
};

/** A token as the store keeps it in KV (one key per id): its hash, never the token. */
export const TokenRecord = Type.Object(
  {
    ...common,
    hash: Type.String({
      pattern: TOKEN_HASH_PATTERN,
      description: 'SHA-256 of the whole token, lowercase hex (token-hash.ts)',
    }),
  },
  { additionalProperties: false, $id: 'TokenRecord' },
);
export type TokenRecord = Static<typeof TokenRecord>;

/** What lists and mint answers show of a token: the record without its hash. */
export const TokenSummary = Type.Object(common, { additionalProperties: false, $id: 'TokenSummary' });
export type TokenSummary = Static<typeof TokenSummary>;

export function summarize(record: TokenRecord): TokenSummary {
  const { hash: _hash, ...summary } = record;
  return summary;
}

registerFormats();
const recordCheck = TypeCompiler.Compile(TokenRecord);

/** Whether a value is a valid token record (the schema, formats included). */
export function isTokenRecord(value: unknown): value is TokenRecord {
  return recordCheck.Check(value);
}

/** Where a value fails the record schema: paths and TypeBox's messages, never the values. */
export function recordProblems(value: unknown): Problem[] {
  return [...recordCheck.Errors(value)].map((error) => ({
    path: pointerToPath(error.path),
    message: error.message,
  }));
}

/** A stored record's text, parsed and checked; undefined when it is not JSON or not a valid record. */
export function parseTokenRecord(text: string): TokenRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isTokenRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
