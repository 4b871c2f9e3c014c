/**
 * What can go wrong in a command, as a value with a kind, and the exit code of each kind
 * (docs/running.md, "The command-line client").
 */
import type { Problem } from './api/schemas.js';

export type FailureKind =
  /** Bad arguments, or a configuration that cannot be used (no token, unreadable config file). */
  | 'usage'
  /** 401 or 403. */
  | 'auth'
  /** 404 (or a transfer the tracker never showed within the wait). */
  | 'not_found'
  /** 400, 409, 413, 415, 422: the API refused the request and said why. */
  | 'refused'
  /** A service could not be reached, timed out or answered 5xx. */
  | 'unreachable'
  /** The transfer ended failed or cancel_failed; an instance test, prepare or preflight failed. */
  | 'failed'
  /** Anything else: an answer this CLI does not understand, a bug. */
  | 'unexpected';

export const EXIT_CODES: Readonly<Record<FailureKind, number>> = {
  usage: 2,
  auth: 3,
  not_found: 4,
  refused: 5,
  unreachable: 6,
  failed: 1,
  unexpected: 1,
};

/** Exit 130 after Ctrl-C during a --watch (the shell's convention for SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

export interface FailureDetails {
  /** The API's error code (`invalid_request`, `serials_in_use`...), when an API answered. */
  readonly code?: string;
  readonly status?: number;
  readonly problems?: readonly Problem[];
  /** The API's error body as answered (printed as is with --json). */
  readonly body?: Record<string, unknown>;
  /** For usage errors: the usage text of the command, printed after the reason. */
  readonly usage?: string;
  /** A line for the person, printed after the message (e.g. how to repeat the request). */
  readonly hint?: string;
}

export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly details: FailureDetails = {},
  ) {
    super(message);
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind];
  }
}

/** The kind of an HTTP error status of intake or the tracker. */
export function failureKindOfStatus(status: number): FailureKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 400 || status === 409 || status === 413 || status === 415 || status === 422)
    return 'refused';
  if (status >= 500) return 'unreachable';
  return 'unexpected';
}
