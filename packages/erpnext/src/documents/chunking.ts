import { MAX_TEXT_LENGTH, type Problem, pointerToPath, type TransferRequest } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * Deterministic chunking of a transfer's serials into ERPNext documents and item rows.
 *
 * - **Documents.** One ERPNext request has a worker for 120 s and serial-heavy submits take tens
 *   of seconds, so a transfer is split into document chunks of at most `maxSerialsPerDocument`
 *   serials, at most `maxRowsPerDocument` rows (a Delivery Note of 161 rows once took 166 s to
 *   submit) and at most `maxDocumentBytes` of serial text (far below the 25 MiB body limit),
 *   walking the items in manifest order and each item's serials in order. Chunks are numbered
 *   0, 1, 2, ...; the same manifest and the same limits always give the same chunks, so the
 *   marker `<transfer>:<step>:<chunk>` names the same document on every retry.
 * - **Rows.** A row's `serial_no` is a MariaDB TEXT column (65,535 bytes), so inside a document
 *   each item's serials are split into rows whose text (serials joined with "\n") is at most
 *   `maxRowBytes` UTF-8 bytes and carries at most `maxSerialsPerRow` serials. Several rows may
 *   carry the same item.
 *
 * **THE RESOLVED LIMITS ARE PART OF THE TRANSFER.** Other limits cut other chunks: with another
 * `maxSerialsPerDocument` (or any other limit, or a new default) chunk 3 carries other serials,
 * yet its marker `<transfer>:<step>:3` is the same, and `insertOnce` would reuse the document an
 * earlier attempt made from the old cut. So:
 *
 * 1. resolve the limits once, when the transfer is requested (`resolveChunkingLimits`), and
 *    store them with the transfer, together with `chunkingFingerprint(limits)`;
 * 2. every step chunks with the stored limits, **never re-read from configuration** (nor from
 *    the defaults of the code running the step, which a deploy may change);
 * 3. a step may compare the stored fingerprint with `chunkingFingerprint` of the limits it is
 *    about to use, and stop (for a person) when they differ;
 * 4. `insertOnce`'s `expected` option (`expectedContent(chunk)` in builders.ts) checks that a
 *    document found by marker carries the chunk's quantities, as a last line of defence.
 */

/** MariaDB TEXT: a row's `serial_no` must stay strictly under this many bytes. */
export const TEXT_COLUMN_BYTES = 65_535;
/** A request body over 25 MiB is refused (413): the document cap stays well below it. */
export const MAX_REQUEST_BYTES = 25 * 1024 * 1024;
/** Most UTF-8 bytes one valid serial takes (140 UTF-16 code units, at most 3 bytes each). */
export const MAX_SERIAL_BYTES = MAX_TEXT_LENGTH * 3;
/**
 * What a row adds to the JSON body besides its serial text (keys, item code, warehouse, rate,
 * PO links), counted generously so that `maxDocumentBytes` bounds the whole request body.
 */
export const ROW_OVERHEAD_BYTES = 2048;

export const DEFAULT_MAX_SERIALS_PER_DOCUMENT = 1000;
export const DEFAULT_MAX_ROW_BYTES = 48 * 1024;
export const DEFAULT_MAX_SERIALS_PER_ROW = 1000;
export const DEFAULT_MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
/**
 * 50 rows per document: a Delivery Note of 161 rows took 166 s to submit, past the 120 s a
 * worker has: submit time grows with the number of rows, not only with the serials.
 */
export const DEFAULT_MAX_ROWS_PER_DOCUMENT = 50;
/** The lowest `maxDocumentBytes` allowed: any single row fits. */
export const MIN_DOCUMENT_BYTES = 64 * 1024;
/** The highest `maxDocumentBytes` allowed: leaves room under 25 MiB for the parent fields. */
export const MAX_DOCUMENT_BYTES_LIMIT = 20 * 1024 * 1024;

/** The chunking limits as given (each optional; absent = its default). */
export const ChunkingOptions = Type.Object(
  {
    maxSerialsPerDocument: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: DEFAULT_MAX_SERIALS_PER_DOCUMENT,
        description: 'most serials one document (PO, PR or DN) carries; keeps one submit well under 120 s',
      }),
    ),
    maxRowsPerDocument: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: DEFAULT_MAX_ROWS_PER_DOCUMENT,
        description:
          'most item rows one document carries (one per serial row; the PO has one per item, never more); keeps one submit well under 120 s',
      }),
    ),
    maxRowBytes: Type.Optional(
      Type.Integer({
        minimum: MAX_SERIAL_BYTES,
        exclusiveMaximum: TEXT_COLUMN_BYTES,
        default: DEFAULT_MAX_ROW_BYTES,
        description: "most UTF-8 bytes of one row's serial_no text (a TEXT column holds 65,535)",
      }),
    ),
    maxSerialsPerRow: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: DEFAULT_MAX_SERIALS_PER_ROW,
        description: 'most serials one item row carries',
      }),
    ),
    maxDocumentBytes: Type.Optional(
      Type.Integer({
        minimum: MIN_DOCUMENT_BYTES,
        maximum: MAX_DOCUMENT_BYTES_LIMIT,
        default: DEFAULT_MAX_DOCUMENT_BYTES,
        description:
          "most bytes of one document's rows in the request body (serial text as JSON, plus a fixed allowance per row)",
      }),
    ),
  },
  { additionalProperties: false, $id: 'ChunkingOptions' },
);
export type ChunkingOptions = Static<typeof ChunkingOptions>;

/**
 * The chunking limits with every default applied. Part of the transfer: stored with it when it is
 * requested and used by all its steps, never re-read from configuration (see the module comment).
 */
export interface ChunkingLimits {
  readonly maxSerialsPerDocument: number;
  readonly maxRowsPerDocument: number;
  readonly maxRowBytes: number;
  readonly maxSerialsPerRow: number;
  readonly maxDocumentBytes: number;
}

export const DEFAULT_CHUNKING_LIMITS: ChunkingLimits = Object.freeze({
  maxSerialsPerDocument: DEFAULT_MAX_SERIALS_PER_DOCUMENT,
  maxRowsPerDocument: DEFAULT_MAX_ROWS_PER_DOCUMENT,
  maxRowBytes: DEFAULT_MAX_ROW_BYTES,
  maxSerialsPerRow: DEFAULT_MAX_SERIALS_PER_ROW,
  maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES,
});

/** Chunking options that do not pass their schema. */
export class ChunkingOptionsError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`invalid chunking options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'ChunkingOptionsError';
  }
}

/** A manifest that cannot be chunked with the given limits (a serial too long for one row). */
export class ChunkingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkingError';
  }
}

const optionsCheck = TypeCompiler.Compile(ChunkingOptions);

/** Checks the options against their schema and applies the defaults; throws ChunkingOptionsError. */
export function resolveChunkingLimits(options: unknown = {}): ChunkingLimits {
  if (!optionsCheck.Check(options)) {
    const problems = [...optionsCheck.Errors(options)].map((error) => ({
      path: pointerToPath(error.path),
      message: error.message,
    }));
    throw new ChunkingOptionsError(problems);
  }
  return Object.freeze({
    maxSerialsPerDocument: options.maxSerialsPerDocument ?? DEFAULT_MAX_SERIALS_PER_DOCUMENT,
    maxRowsPerDocument: options.maxRowsPerDocument ?? DEFAULT_MAX_ROWS_PER_DOCUMENT,
    maxRowBytes: options.maxRowBytes ?? DEFAULT_MAX_ROW_BYTES,
    maxSerialsPerRow: options.maxSerialsPerRow ?? DEFAULT_MAX_SERIALS_PER_ROW,
    maxDocumentBytes: options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES,
  });
}

/**
 * The version of the cutting rules: raised whenever `chunkTransfer` would cut the same manifest
 * differently with the same limits (2: the row cap per document), so the fingerprint changes too.
 */
export const CHUNKING_VERSION = 2;

/**
 * A short stable string naming how a transfer is cut: the rules' version and every resolved limit
 * (defaults applied), e.g. `v2;spd=1000;rpd=50;spr=1000;rb=49152;db=4194304`. Equal fingerprints
 * cut every manifest into the same chunks. Store it with the transfer when it is requested; a step
 * compares it with the fingerprint of the limits it is about to chunk with and stops on a
 * difference (other chunks under the same markers). Throws ChunkingOptionsError like
 * `resolveChunkingLimits`.
 */
export function chunkingFingerprint(limits: ChunkingLimits | ChunkingOptions = {}): string {
  const l = resolveChunkingLimits(limits);
  return [
    `v${CHUNKING_VERSION}`,
    `spd=${l.maxSerialsPerDocument}`,
    `rpd=${l.maxRowsPerDocument}`,
    `spr=${l.maxSerialsPerRow}`,
    `rb=${l.maxRowBytes}`,
    `db=${l.maxDocumentBytes}`,
  ].join(';');
}

/** One item row: some of an item's serials, in manifest order. */
export interface SerialRow {
  readonly serials: readonly string[];
  /** UTF-8 bytes of `serials.join("\n")`, the row's `serial_no` text. */
  readonly bytes: number;
}

/** The serials of one manifest item that one document carries. */
export interface ItemSlice {
  /** The item's position in `manifest.items`. */
  readonly itemIndex: number;
  readonly itemCode: string;
  /** Position in the item's `serials` of the first serial carried here. */
  readonly start: number;
  /** The serials carried, in manifest order (`serials.length` is the item's qty in this document). */
  readonly serials: readonly string[];
  /** The same serials split into rows (concatenated, they are `serials`). */
  readonly rows: readonly SerialRow[];
}

/** One document's share of a transfer: the same chunk number names it in all four steps. */
export interface DocumentChunk {
  /** 0, 1, 2, ...: the `<chunk>` of the marker. */
  readonly index: number;
  readonly serialCount: number;
  /** Each item at most once, in manifest order. */
  readonly items: readonly ItemSlice[];
}

/** `serial_no` text of a row: ERPNext splits it on line breaks. */
export function serialText(row: SerialRow): string {
  return row.serials.join('\n');
}

/** UTF-8 length of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Bytes a serial takes inside a JSON string (escapes included, quotes excluded). */
function jsonBytes(serial: string, rawBytes: number): number {
  // Printable ASCII without quote or backslash is written as is; anything else is measured.
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(serial) ? rawBytes : utf8Bytes(JSON.stringify(serial)) - 2;
}

/**
 * Splits a transfer into document chunks, and each chunk's items into rows (see the module
 * comment). Pure and deterministic: the same items and limits give the same chunks. Pass the
 * limits stored with the transfer, never the configuration's current ones.
 *
 * A document is closed when the next serial would pass `maxSerialsPerDocument` or
 * `maxDocumentBytes`, or would need a new row while the document already has
 * `maxRowsPerDocument` rows. Rows are what the builders emit: one per `SerialRow` in the
 * receipts and the delivery note, one per item of the chunk in the PO (never more than the
 * serial rows, since every item of a chunk has at least one row).
 */
export function chunkTransfer(
  manifest: Pick<TransferRequest, 'items'>,
  options: ChunkingLimits | ChunkingOptions = {},
): DocumentChunk[] {
  const limits = resolveChunkingLimits(options);
  const chunks: DocumentChunk[] = [];

  let docItems: ItemSlice[] = [];
  let docCount = 0;
  let docBytes = 0;
  /** Rows of the current document, the one being filled included. */
  let docRows = 0;
  // The slice and row being filled (of the current document and item).
  let sliceSerials: string[] = [];
  let sliceRows: SerialRow[] = [];
  let sliceStart = 0;
  let rowSerials: string[] = [];
  let rowBytes = 0;
  let current: { itemIndex: number; itemCode: string } | undefined;

  const closeRow = () => {
    if (rowSerials.length > 0) sliceRows.push({ serials: rowSerials, bytes: rowBytes });
    rowSerials = [];
    rowBytes = 0;
  };
  const closeSlice = () => {
    closeRow();
    if (current !== undefined && sliceSerials.length > 0) {
      docItems.push({ ...current, start: sliceStart, serials: sliceSerials, rows: sliceRows });
    }
    sliceSerials = [];
    sliceRows = [];
  };
  const closeDocument = () => {
    closeSlice();
    if (docItems.length > 0) chunks.push({ index: chunks.length, serialCount: docCount, items: docItems });
    docItems = [];
    docCount = 0;
    docBytes = 0;
    docRows = 0;
  };

  manifest.items.forEach((item, itemIndex) => {
    closeSlice();
    current = { itemIndex, itemCode: item.item_code };
    item.serials.forEach((serial, serialIndex) => {
      const bytes = utf8Bytes(serial);
      if (bytes > limits.maxRowBytes) {
        throw new ChunkingError(
          `items[${itemIndex}].serials[${serialIndex}] takes ${bytes} bytes, more than a row's ${limits.maxRowBytes}`,
        );
      }
      const json = jsonBytes(serial, bytes);
      const fitsRow =
        rowSerials.length > 0 &&
        rowSerials.length < limits.maxSerialsPerRow &&
        rowBytes + 1 + bytes <= limits.maxRowBytes;
      // A new row costs its overhead; another serial in a row costs the escaped "\n" (2 bytes).
      const added = fitsRow ? json + 2 : json + ROW_OVERHEAD_BYTES;
      if (
        docCount > 0 &&
        (docCount >= limits.maxSerialsPerDocument ||
          docBytes + added > limits.maxDocumentBytes ||
          (!fitsRow && docRows >= limits.maxRowsPerDocument))
      ) {
        closeDocument();
        docBytes = json + ROW_OVERHEAD_BYTES;
        docRows = 1;
      } else if (!fitsRow) {
        closeRow();
        docBytes += added;
        docRows++;
      } else {
        docBytes += added;
      }
      if (sliceSerials.length === 0) sliceStart = serialIndex;
      rowBytes = rowSerials.length === 0 ? bytes : rowBytes + 1 + bytes;
      rowSerials.push(serial);
      sliceSerials.push(serial);
      docCount++;
    });
  });
  closeDocument();
  return chunks;
}

/** How many serials a manifest carries (across items). */
export function serialCount(manifest: Pick<TransferRequest, 'items'>): number {
  return manifest.items.reduce((sum, item) => sum + item.serials.length, 0);
}
