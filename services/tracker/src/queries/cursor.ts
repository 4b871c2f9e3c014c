import { TransferId } from '@interco/contracts';
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * Page tokens: base64url of a small JSON object. Opaque to clients; what comes back is checked
 * against the shape it was made with, so a token that was cut, altered or made up is refused
 * (the route answers 400 naming `cursor`). A token only narrows the filter, so it needs no seal.
 */

/** Where a page of transfers ends: its last item's `created_at` and id. */
export interface TransferCursor {
  readonly created_at: string;
  readonly id: string;
}

const TransferCursorShape = TypeCompiler.Compile(
  Type.Object(
    { c: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$' }), i: TransferId },
    { additionalProperties: false },
  ),
);

const OffsetCursorShape = TypeCompiler.Compile(
  Type.Object({ o: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
);

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(text: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function encodeTransferCursor(cursor: TransferCursor): string {
  return encode({ c: cursor.created_at, i: cursor.id });
}

/** The cursor, or undefined when the text is not one this API made. */
export function decodeTransferCursor(text: string): TransferCursor | undefined {
  const value = decode(text);
  if (!TransferCursorShape.Check(value)) return undefined;
  if (Number.isNaN(Date.parse(value.c))) return undefined;
  return { created_at: value.c, id: value.i };
}

/** A position in a list (the serials of a transfer): how many items come before the page. */
export function encodeOffsetCursor(offset: number): string {
  return encode({ o: offset });
}

export function decodeOffsetCursor(text: string): number | undefined {
  const value = decode(text);
  return OffsetCursorShape.Check(value) ? value.o : undefined;
}

/** What a 400 says of a cursor it cannot read. */
export const BAD_CURSOR_MESSAGE =
  'is not a cursor this API gave (pass next_cursor of the previous page as it is)';
