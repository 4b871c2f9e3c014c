/**
 * For tests of apps on the chassis (this package's and the services'): a logger that says
 * nothing, and a token verifier answering for a fixed set of bearer credentials.
 */
import type { Principal, VerifyResult } from '@interco/auth';
import type { FastifyBaseLogger } from 'fastify';

const noop = () => {};

export const silentLogger: FastifyBaseLogger = {
  level: 'silent',
  fatal: noop,
  error: noop,
  warn: noop,
  info: noop,
  debug: noop,
  trace: noop,
  silent: noop,
  child: () => silentLogger,
};

/** Verifies `Authorization: Bearer <key>` for each key of `principals`; anything else is unknown. */
export function fixedTokens(principals: Readonly<Record<string, Principal>>): {
  verify(credential: string | undefined): Promise<VerifyResult>;
} {
  return {
    async verify(credential) {
      const key = credential?.startsWith('Bearer ') ? credential.slice('Bearer '.length) : undefined;
      const principal = key === undefined ? undefined : principals[key];
      return principal === undefined ? { ok: false, reason: 'unknown' } : { ok: true, principal };
    },
  };
}
