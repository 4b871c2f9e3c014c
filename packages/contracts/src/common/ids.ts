import { randomFillSync } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';

// ULIDs: 48 bits of milliseconds then 80 random bits, in Crockford base 32 (26 characters).
// They sort by creation time and are safe as NATS subject tokens, KV keys and URL segments.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = '[0-9A-HJKMNP-TV-Z]{26}';

export function newUlid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomFillSync(new Uint8Array(16));
  let random = '';
  for (const byte of bytes) random += CROCKFORD.charAt(byte % 32);
  return time + random;
}

export const TransferId = Type.String({
  pattern: `^tr_${ULID_PATTERN}$`,
  description: 'Interco transfer id: "tr_" and a ULID',
  examples: ['tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B'],
});
export type TransferId = Static<typeof TransferId>;

export const EventId = Type.String({ pattern: `^${ULID_PATTERN}$`, description: 'event id: a ULID' });
export type EventId = Static<typeof EventId>;

export function newTransferId(now?: number): TransferId {
  return `tr_${newUlid(now)}`;
}

export function newEventId(now?: number): EventId {
  return newUlid(now);
}

/** Id of a registered ERPNext instance: used in KV keys and URLs, so a restricted alphabet. */
export const InstanceId = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
  description: 'id of a registered ERPNext instance (1 to 64 letters, digits, "_" or "-")',
});
export type InstanceId = Static<typeof InstanceId>;
export const INSTANCE_ID_RULE =
  'must be 1 to 64 letters, digits, "_" or "-", starting with a letter or digit';
