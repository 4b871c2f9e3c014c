import { DEFAULT_SUBJECT_PREFIX } from '@interco/contracts';

/** Every NATS name one Interco deployment (or one test file) uses, from one prefix. */
export interface BusNames {
  /** The first token of every event subject: `<prefix>.t.<transfer id>.<event type>`. */
  subjectPrefix: string;
  /** The JetStream stream of the events (subjects `<prefix>.>`): the prefix in upper case. */
  stream: string;
  buckets: {
    /** KV: transfer records (intake's control state). */
    transfers: string;
    /** KV: serial reservations (keyed digest of a serial -> holding transfer id). */
    serials: string;
    /** KV: idempotency keys (kept 24 h). */
    idempotency: string;
    /** KV: step leases (`<transfer id>.<step>`). */
    leases: string;
    /** Object Store: encrypted manifests (object name = transfer id). */
    manifests: string;
    /** KV: ERPNext instances (the instance registry). */
    instances: string;
    /** KV: API tokens (packages/auth). */
    tokens: string;
    /** KV: data keys sealed with the secret key ring (the serial digest key; DataKeyStore). */
    keys: string;
  };
}

/**
 * Lowercase letters, digits and `_`, starting with a letter: one NATS subject token, and a valid
 * stream and bucket name once suffixed. Longer than INTERCO_NAMESPACE allows (31) so that test
 * namespaces (`t_<file>_<random>`, up to 38 characters) fit.
 */
const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** The names of the deployment whose namespace is `prefix` (INTERCO_NAMESPACE; docs/pipeline.md). */
export function busNames(prefix: string = DEFAULT_SUBJECT_PREFIX): BusNames {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `invalid namespace "${prefix}": use 1 to 64 lowercase letters, digits or "_", starting with a letter`,
    );
  }
  return {
    subjectPrefix: prefix,
    stream: prefix.toUpperCase(),
    buckets: {
      transfers: `${prefix}_transfers`,
      serials: `${prefix}_serials`,
      idempotency: `${prefix}_idempotency`,
      leases: `${prefix}_leases`,
      manifests: `${prefix}_manifests`,
      instances: `${prefix}_instances`,
      tokens: `${prefix}_tokens`,
      keys: `${prefix}_keys`,
    },
  };
}
