import type { CommonErrorCode } from '@interco/http';

/**
 * The codes intake answers with: the chassis' (@interco/http: validation, JSON, routing, 401,
 * 403, 413, 415, 503, 500) and intake's own. Thrown as `new ApiError<IntakeErrorCode>(...)`.
 */
export type IntakeErrorCode =
  | CommonErrorCode
  | 'idempotency_key_reused'
  | 'idempotency_key_in_progress'
  | 'serials_in_use'
  | 'transfer_state'
  | 'conflict'
  | 'unknown_instance';
