import { InstanceId } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';

/** An instance as the registry stores it in KV: credentials sealed (secret-box.ts). */
export const StoredInstance = Type.Object(
  {
    id: InstanceId,
    name: Type.String({ minLength: 1, maxLength: 140 }),
    base_url: Type.String(),
    api_key_sealed: Type.String(),
    api_secret_sealed: Type.String(),
    /** The key's last four characters, so people can tell credentials apart ('' for keys under 12 characters). */
    api_key_hint: Type.String({ maxLength: 4 }),
    worker_timeout_ms: Type.Optional(Type.Integer({ minimum: 1000 })),
    write_timeout_ms: Type.Optional(Type.Integer({ minimum: 1000 })),
    read_timeout_ms: Type.Optional(Type.Integer({ minimum: 100 })),
    max_in_flight: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, $id: 'StoredInstance' },
);
export type StoredInstance = Static<typeof StoredInstance>;

/** What lists and descriptions show of an instance: never a credential. */
export const InstanceSummary = Type.Object(
  {
    id: InstanceId,
    name: Type.String(),
    base_url: Type.String(),
    api_key_hint: Type.String({
      description: 'last four characters of the API key; empty when the key has fewer than 12 characters',
    }),
    worker_timeout_ms: Type.Optional(Type.Integer()),
    write_timeout_ms: Type.Optional(Type.Integer()),
    read_timeout_ms: Type.Optional(Type.Integer()),
    max_in_flight: Type.Optional(Type.Integer()),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { additionalProperties: false, $id: 'InstanceSummary' },
);
export type InstanceSummary = Static<typeof InstanceSummary>;
