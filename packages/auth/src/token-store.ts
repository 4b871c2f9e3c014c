import type { Problem } from '@interco/contracts';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { parseBootstrapHash } from './bootstrap.js';
import { type AuthLogger, silentLogger } from './logger.js';
import { isScope, normalizeScopes, SCOPES, type Scope } from './scopes.js';
import { TokenCache } from './token-cache.js';
import { generateToken, isTokenId } from './token-format.js';
import { hashToken } from './token-hash.js';
import {
  isTokenRecord,
  parseTokenRecord,
  recordProblems,
  summarize,
  TokenName,
  type TokenRecord,
  type TokenSummary,
} from './token-record.schema.js';
import { type TokenLookup, type VerifyResult, verifyToken } from './verify-token.js';

export const DEFAULT_TOKEN_BUCKET = 'interco_tokens';

/** Tries at finding an unused id (12 base32 characters: a clash is already unlikely once). */
const MINT_ATTEMPTS = 3;

const nameCheck = TypeCompiler.Compile(TokenName);

export interface TokenStoreOptions {
  /** The KV bucket (default `interco_tokens`; created with history 1 if missing). */
  bucket?: string;
  /** The bootstrap token's hash (`bootstrapHashFromEnv()`); checked here, a bad value throws. */
  bootstrapHash?: string | undefined;
  /** Keep an in-memory copy of the bucket, followed by a KV watch (default true). */
  cache?: boolean;
  now?: () => Date;
  logger?: AuthLogger;
}

export interface MintInput {
  /** Who or what holds the token (1 to 140 characters, no control characters). */
  name: string;
  /** At least one; repeats are dropped. */
  scopes: readonly Scope[];
  /** When the token stops working; must be in the future. */
  expiresAt?: Date | undefined;
}

export interface MintedToken {
  /** The token: shown once, to whoever asked for it. Only its hash is stored. */
  token: string;
  record: TokenSummary;
}

/** A request the store refuses: invalid mint input. Messages name fields, never values. */
export class TokenStoreError extends Error {
  constructor(
    readonly kind: 'invalid',
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = 'TokenStoreError';
  }
}

/**
 * Interco's API tokens in a JetStream KV bucket, one key per token id, holding the record with
 * the token's hash (never the token). The bucket keeps no history (`history: 1`) and `revoke`
 * purges the key, leaving a purge marker: that is how `verify` tells `revoked` from `unknown`.
 */
export class TokenStore {
  readonly #bootstrapHash: string | undefined;
  readonly #now: () => Date;
  readonly #logger: AuthLogger;

  private constructor(
    /** The bucket (for tests and tools; the store is the one way to write it). */
    readonly kv: KV,
    /** The in-memory copy, when the store keeps one. */
    readonly cache: TokenCache | undefined,
    options: { bootstrapHash: string | undefined; now: () => Date; logger: AuthLogger },
  ) {
    this.#bootstrapHash = options.bootstrapHash;
    this.#now = options.now;
    this.#logger = options.logger;
  }

  static async open(nc: NatsConnection, options: TokenStoreOptions = {}): Promise<TokenStore> {
    const bootstrapHash =
      options.bootstrapHash === undefined
        ? undefined
        : parseBootstrapHash(options.bootstrapHash, 'bootstrapHash');
    const logger = options.logger ?? silentLogger;
    const kv = await new Kvm(nc).create(options.bucket ?? DEFAULT_TOKEN_BUCKET, {
      history: 1,
      storage: 'file',
    });
    const cache = options.cache === false ? undefined : await TokenCache.start(kv, { logger });
    return new TokenStore(kv, cache, { bootstrapHash, now: options.now ?? (() => new Date()), logger });
  }

  /** Makes a new token. The answer holds the token itself: the only time anyone sees it. */
  async mint(input: MintInput): Promise<MintedToken> {
    const now = this.#now();
    const problems = mintProblems(input, now);
    if (problems.length > 0) throw invalid(problems);
    for (let attempt = 1; attempt <= MINT_ATTEMPTS; attempt++) {
      const { id, token } = generateToken();
      const record: TokenRecord = {
        id,
        name: input.name,
        scopes: normalizeScopes(input.scopes),
        hash: hashToken(token),
        created_at: now.toISOString(),
        ...(input.expiresAt === undefined ? {} : { expires_at: input.expiresAt.toISOString() }),
      };
      if (!isTokenRecord(record)) throw invalid(recordProblems(record));
      try {
        // previousSeq 0: only a key never used, so a revoked token's id is never given again.
        await this.kv.put(id, JSON.stringify(record), { previousSeq: 0 });
      } catch (error) {
        const there = await this.kv.get(id);
        if (there === null) throw error;
        // The write may have landed before the error (a timeout): then the token is ours.
        if (there.operation !== 'PUT' || parseTokenRecord(there.string())?.hash !== record.hash) continue;
      }
      return { token, record: summarize(record) };
    }
    throw new Error(`no unused token id found in ${MINT_ATTEMPTS} tries`);
  }

  /** Every live token (revoked ones are gone), without hashes, oldest first. */
  async list(): Promise<TokenSummary[]> {
    const out: TokenSummary[] = [];
    for await (const key of await this.kv.keys()) {
      const found = await this.#read(key);
      if (found.state === 'live') out.push(summarize(found.record));
    }
    return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  /**
   * Revokes a token: purges its key, so no revision keeps the record. True if a live token was
   * revoked; false for an id with no live token (unknown, already revoked, or `bootstrap`, which
   * is revoked by changing INTERCO_BOOTSTRAP_TOKEN_HASH).
   */
  async revoke(id: string): Promise<boolean> {
    if (!isTokenId(id)) return false;
    const entry = await this.kv.get(id);
    if (entry === null || entry.operation !== 'PUT') return false;
    await this.kv.purge(id);
    this.cache?.noteRevoked(id);
    return true;
  }

  /**
   * Checks a credential: an `Authorization` header value (`Bearer <token>`) or the token itself.
   * Answers the principal, or why it was refused (for logs; answer 401 with `authorize`). Rejects
   * only when KV cannot be read (answer 503, not 401).
   */
  verify(credential: string | null | undefined): Promise<VerifyResult> {
    return verifyToken(credential, {
      lookup: async (id) => this.cache?.lookup(id) ?? (await this.#read(id)),
      bootstrapHash: this.#bootstrapHash,
      now: this.#now(),
    });
  }

  /** Stops the cache's watch (the connection is the caller's to close). */
  close(): void {
    this.cache?.stop();
  }

  async #read(id: string): Promise<TokenLookup> {
    const entry = await this.kv.get(id);
    if (entry === null) return { state: 'absent' };
    if (entry.operation !== 'PUT') return { state: 'revoked' };
    const record = parseTokenRecord(entry.string());
    if (record === undefined || record.id !== id) {
      this.#logger.warn(
        { token: id, revision: entry.revision },
        'token store: a stored token record is not valid; the token is refused',
      );
      return { state: 'absent' };
    }
    return { state: 'live', record };
  }
}

/** What is wrong with a mint request: paths and messages, never the values given. */
export function mintProblems(input: unknown, now: Date): Problem[] {
  const problems: Problem[] = [];
  const given = (typeof input === 'object' && input !== null ? input : {}) as Partial<
    Record<keyof MintInput, unknown>
  >;
  if (!nameCheck.Check(given.name)) {
    problems.push({ path: 'name', message: 'must be 1 to 140 characters, without control characters' });
  }
  const known = `one of ${SCOPES.join(', ')}`;
  if (!Array.isArray(given.scopes) || given.scopes.length === 0) {
    problems.push({ path: 'scopes', message: `must list at least one scope (${known})` });
  } else {
    given.scopes.forEach((scope: unknown, index) => {
      if (!isScope(scope)) problems.push({ path: `scopes[${index}]`, message: `is not a scope (${known})` });
    });
  }
  const expiresAt = given.expiresAt;
  if (expiresAt !== undefined) {
    if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
      problems.push({ path: 'expiresAt', message: 'must be a valid Date' });
    } else if (expiresAt.getTime() <= now.getTime()) {
      problems.push({ path: 'expiresAt', message: 'must be in the future' });
    }
  }
  return problems;
}

function invalid(problems: readonly Problem[]): TokenStoreError {
  return new TokenStoreError(
    'invalid',
    `invalid token request: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    problems,
  );
}
