import type { IntercoEvent } from '@interco/contracts';
import type { ChunkingLimits } from '@interco/erpnext';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { sampleRecord, sampleRequestedEvent } from '../test-support/store-fixtures.js';
import { StoreError } from './store-error.js';
import { TransferRecord } from './transfer-record.schema.js';
import { checkTransferRecord } from './transfer-store.js';

const check = TypeCompiler.Compile(TransferRecord);

describe('TransferRecord', () => {
  it('accepts a record as intake writes it, with or without a reference', () => {
    const record = sampleRecord();
    expect(check.Check(record)).toBe(true);
    expect(check.Check({ ...record, reference: 'REF-1' })).toBe(true);
  });

  it('accepts every status intake writes, reclaiming included', () => {
    for (const status of ['active', 'cancelling', 'completed', 'cancelled', 'reclaiming']) {
      expect(check.Check({ ...sampleRecord(), status })).toBe(true);
    }
  });

  it('refuses unknown fields, bad statuses, generations, digests and events', () => {
    const record = sampleRecord();
    expect(check.Check({ ...record, extra: 1 })).toBe(false);
    expect(check.Check({ ...record, status: 'done' })).toBe(false);
    expect(check.Check({ ...record, generation: 0 })).toBe(false);
    expect(check.Check({ ...record, request_digest: 'abc' })).toBe(false);
    expect(
      check.Check({ ...record, requested_event: { ...record.requested_event, type: 'po_a.done' } }),
    ).toBe(false);
    expect(check.Check({ ...record, created_at: 'yesterday' })).toBe(false);
  });

  it('checkTransferRecord names the fields that are wrong', () => {
    const record = sampleRecord();
    expect(() => checkTransferRecord({ ...record, generation: 0 }, 'the record')).toThrow(StoreError);
    expect(() => checkTransferRecord({ ...record, generation: 0 }, 'the record')).toThrow(/generation/);
    expect(checkTransferRecord(record, 'the record')).toBe(record);
  });
});

describe('TransferRecord types', () => {
  it('holds the transfer.requested event as contracts types it, both ways', () => {
    const record = sampleRecord();
    const event: IntercoEvent = record.requested_event;
    const back: TransferRecord['requested_event'] = sampleRequestedEvent();
    const limits: ChunkingLimits = record.chunking.limits;
    expect([event.type, back.type, limits.maxRowsPerDocument > 0]).toEqual([
      'transfer.requested',
      'transfer.requested',
      true,
    ]);
  });
});
