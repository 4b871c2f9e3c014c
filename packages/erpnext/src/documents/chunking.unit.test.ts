import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHUNKING_VERSION,
  ChunkingError,
  ChunkingOptionsError,
  chunkingFingerprint,
  chunkTransfer,
  DEFAULT_CHUNKING_LIMITS,
  type DocumentChunk,
  MIN_DOCUMENT_BYTES,
  ROW_OVERHEAD_BYTES,
  resolveChunkingLimits,
  serialText,
  utf8Bytes,
} from './chunking.js';

type Items = Array<{ item_code: string; serials: string[] }>;

function manifest(items: Items) {
  return {
    items: items.map((item) => ({
      item_code: item.item_code,
      qty: item.serials.length,
      rate: '10.50',
      transfer_rate: '12.00',
      serials: item.serials,
    })),
  };
}

function serials(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(8, '0')}`);
}

/** (item index, serial) in the order the chunks carry them: slices' serials, then rows'. */
function carried(chunks: readonly DocumentChunk[]) {
  const bySlices: Array<[number, string]> = [];
  const byRows: Array<[number, string]> = [];
  for (const chunk of chunks) {
    for (const slice of chunk.items) {
      for (const serial of slice.serials) bySlices.push([slice.itemIndex, serial]);
      for (const row of slice.rows) for (const serial of row.serials) byRows.push([slice.itemIndex, serial]);
    }
  }
  return { bySlices, byRows };
}

function expected(items: Items): Array<[number, string]> {
  return items.flatMap((item, i) => item.serials.map((serial): [number, string] => [i, serial]));
}

describe('resolveChunkingLimits', () => {
  it('applies the defaults', () => {
    expect(resolveChunkingLimits()).toEqual({
      maxSerialsPerDocument: 1000,
      maxRowsPerDocument: 50,
      maxRowBytes: 48 * 1024,
      maxSerialsPerRow: 1000,
      maxDocumentBytes: 4 * 1024 * 1024,
    });
    expect(resolveChunkingLimits({ maxSerialsPerDocument: 50 })).toEqual({
      ...DEFAULT_CHUNKING_LIMITS,
      maxSerialsPerDocument: 50,
    });
  });

  it.each([
    [{ maxSerialsPerDocument: 0 }, 'maxSerialsPerDocument'],
    [{ maxSerialsPerDocument: -5 }, 'maxSerialsPerDocument'],
    [{ maxSerialsPerDocument: 2.5 }, 'maxSerialsPerDocument'],
    [{ maxSerialsPerRow: 0 }, 'maxSerialsPerRow'],
    [{ maxRowsPerDocument: 0 }, 'maxRowsPerDocument'],
    [{ maxRowsPerDocument: 1.5 }, 'maxRowsPerDocument'],
    [{ maxRowBytes: 65_535 }, 'maxRowBytes'],
    [{ maxRowBytes: 100 }, 'maxRowBytes'],
    [{ maxDocumentBytes: 30 * 1024 * 1024 }, 'maxDocumentBytes'],
    [{ maxDocumentBytes: 1000 }, 'maxDocumentBytes'],
    [{ maxSerialsPerDocument: '1000' }, 'maxSerialsPerDocument'],
  ])('refuses %j', (options, path) => {
    expect(() => resolveChunkingLimits(options)).toThrow(ChunkingOptionsError);
    try {
      resolveChunkingLimits(options);
    } catch (error) {
      expect((error as ChunkingOptionsError).problems.map((p) => p.path)).toContain(path);
    }
  });

  it('refuses unknown options', () => {
    expect(() => resolveChunkingLimits({ maxSerials: 10 })).toThrow(ChunkingOptionsError);
  });

  it('accepts the largest row cap under a TEXT column', () => {
    expect(resolveChunkingLimits({ maxRowBytes: 65_534 }).maxRowBytes).toBe(65_534);
  });
});

describe('chunkingFingerprint', () => {
  it('names the rules and every resolved limit, defaults applied', () => {
    expect(CHUNKING_VERSION).toBe(2);
    expect(chunkingFingerprint(DEFAULT_CHUNKING_LIMITS)).toBe(
      'v2;spd=1000;rpd=50;spr=1000;rb=49152;db=4194304',
    );
    // the same limits however they are given: resolved, partial, or none
    expect(chunkingFingerprint()).toBe(chunkingFingerprint(DEFAULT_CHUNKING_LIMITS));
    expect(chunkingFingerprint({ maxSerialsPerDocument: 1000 })).toBe(chunkingFingerprint({}));
    expect(chunkingFingerprint(resolveChunkingLimits({ maxRowsPerDocument: 20 }))).toBe(
      chunkingFingerprint({ maxRowsPerDocument: 20 }),
    );
    expect(chunkingFingerprint().length).toBeLessThanOrEqual(64);
  });

  it('changes with every limit, since each one may renumber the chunks', () => {
    const items = [
      { item_code: 'PIN-001', serials: serials('A', 1200) },
      { item_code: 'PIN-002', serials: serials('B', 300) },
    ];
    const variants = [
      {},
      { maxSerialsPerDocument: 700 },
      { maxRowsPerDocument: 3 },
      { maxSerialsPerRow: 100 },
      { maxRowBytes: 40_000 },
      { maxDocumentBytes: 8 * 1024 * 1024 },
    ];
    const prints = variants.map((options) => chunkingFingerprint(options));
    expect(new Set(prints).size).toBe(variants.length);
    // the same manifest with another maxSerialsPerDocument: chunk 1 carries other serials
    const before = chunkTransfer(manifest(items));
    const after = chunkTransfer(manifest(items), { maxSerialsPerDocument: 700 });
    expect(before[1]?.items[0]?.start).toBe(1000);
    expect(after[1]?.items[0]?.start).toBe(700);
  });

  it('refuses limits that do not pass their schema', () => {
    expect(() => chunkingFingerprint({ maxRowsPerDocument: 0 })).toThrow(ChunkingOptionsError);
  });
});

describe('chunkTransfer', () => {
  it('numbers chunks 0, 1, 2... walking items and serials in order; an item may span chunks', () => {
    const items = [
      { item_code: 'PIN-001', serials: serials('A', 1500) },
      { item_code: 'PIN-002', serials: serials('B', 1500) },
    ];
    const chunks = chunkTransfer(manifest(items));
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(chunks.map((c) => c.serialCount)).toEqual([1000, 1000, 1000]);
    expect(
      chunks.map((c) => c.items.map((s) => [s.itemIndex, s.itemCode, s.start, s.serials.length])),
    ).toEqual([
      [[0, 'PIN-001', 0, 1000]],
      [
        [0, 'PIN-001', 1000, 500],
        [1, 'PIN-002', 0, 500],
      ],
      [[1, 'PIN-002', 500, 1000]],
    ]);
    expect(chunks[1]?.items[0]?.serials[0]).toBe('A-00001000');
  });

  it('gives the same chunks for the same manifest and limits', () => {
    const items = [
      { item_code: 'PIN-001', serials: serials('A', 2345) },
      { item_code: 'PIN-002', serials: serials('B', 17) },
      { item_code: 'SIM-001', serials: serials('C', 999) },
    ];
    const options = { maxSerialsPerDocument: 700, maxSerialsPerRow: 300 };
    expect(chunkTransfer(manifest(items), options)).toEqual(
      chunkTransfer(manifest(structuredClone(items)), options),
    );
  });

  it('keeps one chunk for a small transfer', () => {
    const chunks = chunkTransfer(manifest([{ item_code: 'PIN-001', serials: ['S1', 'S2'] }]));
    expect(chunks).toEqual([
      {
        index: 0,
        serialCount: 2,
        items: [
          {
            itemIndex: 0,
            itemCode: 'PIN-001',
            start: 0,
            serials: ['S1', 'S2'],
            rows: [{ serials: ['S1', 'S2'], bytes: 5 }],
          },
        ],
      },
    ]);
  });

  it('splits rows by bytes, counting UTF-8 bytes of multi-byte serials', () => {
    // 100 characters, 284 bytes each ("€" is 3 bytes): a 48 KiB row holds 172 of them.
    const wide = Array.from({ length: 1000 }, (_, i) => `${'€'.repeat(92)}${String(i).padStart(8, '0')}`);
    expect(utf8Bytes(wide[0] ?? '')).toBe(92 * 3 + 8);
    const chunks = chunkTransfer(manifest([{ item_code: 'PIN-001', serials: wide }]));
    expect(chunks).toHaveLength(1);
    const rows = chunks[0]?.items[0]?.rows ?? [];
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row.bytes).toBe(utf8Bytes(serialText(row)));
      expect(row.bytes).toBeLessThanOrEqual(48 * 1024);
    }
    // Every row but the last is full: one more serial would not fit.
    for (const row of rows.slice(0, -1)) expect(row.bytes + 1 + 284).toBeGreaterThan(48 * 1024);
    // Four-byte characters (surrogate pairs in JS) too.
    const emoji = Array.from({ length: 500 }, (_, i) => `😀😀😀${i}`);
    for (const row of chunkTransfer(manifest([{ item_code: 'X', serials: emoji }]), { maxRowBytes: 1000 })[0]
      ?.items[0]?.rows ?? []) {
      expect(utf8Bytes(serialText(row))).toBeLessThanOrEqual(1000);
    }
  });

  it('caps serials per row', () => {
    const chunks = chunkTransfer(manifest([{ item_code: 'PIN-001', serials: serials('A', 1000) }]), {
      maxSerialsPerRow: 300,
    });
    expect(chunks[0]?.items[0]?.rows.map((r) => r.serials.length)).toEqual([300, 300, 300, 100]);
  });

  it('caps a document by bytes, the JSON body included', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `"\\${'x'.repeat(120)}${String(i).padStart(6, '0')}`);
    const limits = { maxDocumentBytes: MIN_DOCUMENT_BYTES, maxSerialsPerDocument: 100_000 };
    const chunks = chunkTransfer(manifest([{ item_code: 'PIN-001', serials: long }]), limits);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      const body = chunk.items
        .flatMap((s) => s.rows)
        .reduce((sum, row) => sum + utf8Bytes(JSON.stringify(serialText(row))) - 2 + ROW_OVERHEAD_BYTES, 0);
      expect(body).toBeLessThanOrEqual(MIN_DOCUMENT_BYTES);
    }
    expect(carried(chunks).byRows.map(([, s]) => s)).toEqual(long);
  });

  it('closes a document at maxRowsPerDocument rows (default 50): 500 items of 2 serials', () => {
    const items = Array.from({ length: 500 }, (_, i) => ({
      item_code: `PIN-${String(i).padStart(3, '0')}`,
      serials: serials(`S${i}`, 2),
    }));
    const chunks = chunkTransfer(manifest(items));
    // without the row cap, 1,000 serials would make one document of 500 rows
    expect(chunks.map((c) => c.items.flatMap((s) => s.rows).length)).toEqual(Array(10).fill(50));
    expect(chunks.map((c) => c.serialCount)).toEqual(Array(10).fill(100));
    const { bySlices, byRows } = carried(chunks);
    expect(bySlices).toEqual(expected(items));
    expect(byRows).toEqual(expected(items));
    expect(new Set(byRows.map(([, s]) => s)).size).toBe(1000);
    expect(chunkTransfer(manifest(structuredClone(items)))).toEqual(chunks);
    // another cap, other documents
    const capped = chunkTransfer(manifest(items), { maxRowsPerDocument: 7 });
    for (const chunk of capped) expect(chunk.items.flatMap((s) => s.rows).length).toBeLessThanOrEqual(7);
    expect(capped).toHaveLength(Math.ceil(500 / 7));
  });

  it('counts every row of an item split into several rows against the cap', () => {
    const chunks = chunkTransfer(manifest([{ item_code: 'PIN-001', serials: serials('A', 1000) }]), {
      maxSerialsPerRow: 10,
      maxRowsPerDocument: 25,
    });
    expect(chunks.map((c) => [c.serialCount, c.items[0]?.rows.length, c.items[0]?.start])).toEqual([
      [250, 25, 0],
      [250, 25, 250],
      [250, 25, 500],
      [250, 25, 750],
    ]);
  });

  it('refuses a serial longer than a row can hold', () => {
    const huge = 'x'.repeat(50_000);
    expect(() => chunkTransfer(manifest([{ item_code: 'PIN-001', serials: ['a', huge] }]))).toThrow(
      ChunkingError,
    );
  });

  it('carries every serial exactly once, in order, within every limit (property)', () => {
    const serial = fc.string({ unit: 'binary', minLength: 1, maxLength: 30 });
    const item = fc.array(serial, { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 420, max: 2000 }),
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 12 }),
        (serialLists, maxSerialsPerDocument, maxRowBytes, maxSerialsPerRow, maxRowsPerDocument) => {
          const items = serialLists.map((list, i) => ({ item_code: `IT-${i}`, serials: list }));
          const chunks = chunkTransfer(manifest(items), {
            maxSerialsPerDocument,
            maxRowsPerDocument,
            maxRowBytes,
            maxSerialsPerRow,
          });
          const { bySlices, byRows } = carried(chunks);
          expect(bySlices).toEqual(expected(items));
          expect(byRows).toEqual(expected(items));
          chunks.forEach((chunk, i) => {
            expect(chunk.index).toBe(i);
            expect(chunk.serialCount).toBeLessThanOrEqual(maxSerialsPerDocument);
            expect(chunk.items.flatMap((s) => s.rows).length).toBeLessThanOrEqual(maxRowsPerDocument);
            expect(chunk.serialCount).toBe(chunk.items.reduce((n, s) => n + s.serials.length, 0));
            const itemIndexes = chunk.items.map((s) => s.itemIndex);
            expect(new Set(itemIndexes).size).toBe(itemIndexes.length);
            for (const slice of chunk.items) {
              expect(slice.serials).toEqual(
                items[slice.itemIndex]?.serials.slice(slice.start, slice.start + slice.serials.length),
              );
              for (const row of slice.rows) {
                expect(row.serials.length).toBeGreaterThan(0);
                expect(row.serials.length).toBeLessThanOrEqual(maxSerialsPerRow);
                expect(row.bytes).toBe(utf8Bytes(serialText(row)));
                expect(row.bytes).toBeLessThanOrEqual(maxRowBytes);
              }
            }
          });
          // Documents are full before the next one starts: by count or by rows (the only caps this
          // small input meets).
          for (const chunk of chunks.slice(0, -1)) {
            const rows = chunk.items.flatMap((s) => s.rows).length;
            expect(chunk.serialCount === maxSerialsPerDocument || rows === maxRowsPerDocument).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('chunks 100,000 serials quickly', { timeout: 5000 }, () => {
    const items = [
      { item_code: 'PIN-001', serials: serials('PIN-001-SN', 60_000) },
      { item_code: 'PIN-002', serials: serials('PIN-002-SN', 40_000) },
    ];
    const chunks = chunkTransfer(manifest(items));
    expect(chunks).toHaveLength(100);
    expect(chunks.every((c) => c.serialCount === 1000)).toBe(true);
    expect(carried(chunks).byRows).toEqual(expected(items));
  });
});
