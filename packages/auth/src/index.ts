export {
  AUTH_REALM,
  AuthErrorBody,
  type Authorization,
  authorize,
  UNAUTHORIZED_MESSAGE,
} from './authorize.js';
export {
  BOOTSTRAP_HASH_ENV,
  BOOTSTRAP_TOKEN_ID,
  bootstrapHashFromEnv,
  mintBootstrapToken,
  parseBootstrapHash,
} from './bootstrap.js';
export { type AuthLogger, silentLogger } from './logger.js';
export { hasScope, isScope, normalizeScopes, SCOPES, Scope, Scopes } from './scopes.js';
export { TokenCache, type TokenCacheOptions } from './token-cache.js';
export {
  generateToken,
  isTokenId,
  newTokenId,
  newTokenSecret,
  parseToken,
  TOKEN_ID_LENGTH,
  TOKEN_LENGTH,
  TOKEN_PREFIX,
  TOKEN_SECRET_BYTES,
  type TokenParts,
} from './token-format.js';
export { hashesEqual, hashToken, isTokenHash, TOKEN_HASH_PATTERN, tokenMatchesHash } from './token-hash.js';
export { TokenId, TokenName, TokenRecord, TokenSummary } from './token-record.schema.js';
export {
  DEFAULT_TOKEN_BUCKET,
  type MintedToken,
  type MintInput,
  TokenStore,
  TokenStoreError,
  type TokenStoreOptions,
} from './token-store.js';
export {
  credentialToken,
  type Principal,
  type TokenLookup,
  type VerifyFailure,
  type VerifyResult,
  verifyToken,
} from './verify-token.js';
