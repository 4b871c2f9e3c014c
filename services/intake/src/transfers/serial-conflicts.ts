import type { TransferRequest } from '@interco/contracts';
import { ApiError } from '@interco/http';
import type { IntakeErrorCode } from '../error-codes.js';

/** Most serials (and holding transfers) named in one 409; the rest are counted. */
export const MAX_SERIALS_NAMED = 100;

/** Every serial of a request with its keyed digest, in request order. */
export interface DigestedSerial {
  readonly serial: string;
  readonly digest: string;
}

export function digestSerials(
  request: Pick<TransferRequest, 'items'>,
  digest: (serial: string) => string,
): DigestedSerial[] {
  return request.items.flatMap((item) => item.serials.map((serial) => ({ serial, digest: digest(serial) })));
}

/**
 * The 409 for serials another active transfer holds: the serials of the request (as the request
 * wrote them, in its order; at most 100 named, all counted) and the transfers holding them. This
 * answer is the one place a serial is said back: the caller sent it and must know which.
 */
export function serialsInUse(
  serials: readonly DigestedSerial[],
  conflicts: readonly { digest: string; holder: string }[],
  advice = 'wait for that transfer to complete or be cancelled, or leave them out',
): ApiError {
  const held = new Map(conflicts.map((conflict) => [conflict.digest, conflict.holder]));
  const named: string[] = [];
  const holders = new Set<string>();
  let count = 0;
  for (const { serial, digest } of serials) {
    const holder = held.get(digest);
    if (holder === undefined) continue;
    count++;
    if (named.length < MAX_SERIALS_NAMED) named.push(serial);
    if (holders.size < MAX_SERIALS_NAMED) holders.add(holder);
  }
  const more = count > named.length ? ` (the first ${named.length} are listed)` : '';
  return new ApiError<IntakeErrorCode>(
    409,
    'serials_in_use',
    `${count} serial${count === 1 ? ' is' : 's are'} already in another active transfer${more}: a serial can be in one active transfer at a time; ${advice}`,
    { serials: named, count, held_by: [...holders] },
  );
}

/**
 * The 409 for serials of an existing transfer that another active transfer holds (a cancel of a
 * completed transfer taking its serials back): how many, and the transfers holding them (at
 * most 100), never the serials themselves (the caller of a cancel did not send them).
 */
export function serialsHeldElsewhere(
  transferId: string,
  conflicts: readonly { digest: string; holder: string }[],
  advice: string,
): ApiError {
  const count = new Set(conflicts.map((conflict) => conflict.digest)).size;
  const holders = [...new Set(conflicts.map((conflict) => conflict.holder))];
  const shown = holders.slice(0, MAX_SERIALS_NAMED);
  const more = holders.length > shown.length ? ` (the first ${shown.length} are listed)` : '';
  return new ApiError<IntakeErrorCode>(
    409,
    'serials_in_use',
    `${count} serial${count === 1 ? '' : 's'} of transfer ${transferId} ${count === 1 ? 'is' : 'are'} in another active transfer now (held_by${more}): ${advice}`,
    { count, held_by: shown },
  );
}
