import { type TSchema, Type } from '@sinclair/typebox';
import { EventId, TransferId } from '../common/ids.js';

/** Version of the event schemas; bumped on a change old consumers cannot read. */
export const SCHEMA_VERSION = 1;

/**
 * Envelope attributes every Interco event carries, in the CloudEvents 1.0 style: the standard
 * attributes (specversion, id, source, type, time) and extensions, whose names are lowercase
 * letters only as CloudEvents requires: transferid, generation, actor, schemaversion.
 */
export const EnvelopeAttributes = {
  specversion: Type.Literal('1.0'),
  id: EventId,
  source: Type.String({
    pattern: '^interco/[a-z0-9-]+$',
    description: 'the service that published it, e.g. interco/po-a',
  }),
  time: Type.String({ format: 'date-time', description: 'when it happened, RFC 3339 UTC' }),
  transferid: TransferId,
  generation: Type.Integer({
    minimum: 1,
    description: 'starts at 1; every retry or cancel of the transfer adds 1',
  }),
  actor: Type.String({
    minLength: 1,
    maxLength: 140,
    description: 'who caused it: the API token id behind the request (steps carry it on)',
  }),
  schemaversion: Type.Literal(SCHEMA_VERSION),
};

/** An event schema: the envelope, a literal `type`, and its own `data`. */
export function eventSchema<Name extends string, Data extends TSchema>(
  type: Name,
  data: Data,
  description: string,
) {
  return Type.Object(
    { ...EnvelopeAttributes, type: Type.Literal(type), data },
    { additionalProperties: false, $id: type, description },
  );
}
