/**
 * What forward work (`forward.ts`) and compensation (`compensate.ts`) share: one step's run for
 * one transfer at the generation of its input event (the caller holds the lease and publishes the
 * outcome), the transfer's manifest and chunks, the check before each chunk that the transfer is
 * still the run's to work on, and the documents it reports.
 */
import type { DocumentRef as DocumentRefSchema, IntercoEvent, TransferRequest } from '@interco/contracts';
import type { DocumentChunk } from '@interco/erpnext';
import type { Logger } from '@interco/service';
import type { Static } from '@sinclair/typebox';
import type { TransferRecord, TransferRecordStatus } from '../stores/transfer-record.schema.js';
import { type LoadedTransfer, loadTransfer, type ManifestReader } from './chunks.js';
import type { StepDefinition } from './definition.js';
import type { Heartbeat } from './heartbeat.js';
import { LeaseLostError } from './step-errors.js';

export type DocumentRef = Static<typeof DocumentRefSchema>;

export interface RecordReader {
  get(id: string): Promise<{ record: TransferRecord } | undefined>;
}

/**
 * Updated as the run goes: the chunk being worked on (for the failure's ErrorInfo), and the
 * manifest once loaded (its serials are taken out of ERPNext's messages before they are published).
 */
export interface RunProgress {
  chunk?: number;
  manifest?: TransferRequest;
}

export interface StepRun {
  definition: StepDefinition;
  event: IntercoEvent;
  record: TransferRecord;
  transfers: RecordReader;
  manifests: ManifestReader;
  heartbeat: Pick<Heartbeat, 'lost'>;
  /** Right before each write: renews the lease, or throws LeaseLostError. */
  beforeWrite: () => Promise<void>;
  leaseKey: string;
  logger: Logger;
  progress: RunProgress;
}

/** The record's manifest and chunks (`loadTransfer`), noted in the run's progress. */
export async function loadRunTransfer(run: StepRun): Promise<LoadedTransfer> {
  const loaded = await loadTransfer(run.manifests, run.record);
  run.progress.manifest = loaded.manifest;
  return loaded;
}

/**
 * Before a chunk: the chunk noted in the progress, the lease still held (else LeaseLostError),
 * and the record read again. Answers why the run stops, or undefined while it may go on.
 */
export async function beforeChunk(
  run: StepRun,
  chunk: DocumentChunk,
  status: TransferRecordStatus,
): Promise<string | undefined> {
  run.progress.chunk = chunk.index;
  if (run.heartbeat.lost) throw new LeaseLostError(run.leaseKey);
  return stopReason(run, status);
}

/**
 * Undefined while the record is still `status` at the run's generation; else why the run stops
 * (the record is gone, has another status, or moved to another generation).
 */
export async function stopReason(run: StepRun, status: TransferRecordStatus): Promise<string | undefined> {
  const current = await run.transfers.get(run.record.transfer_id);
  if (current === undefined) return 'the transfer record is gone';
  const { record } = current;
  if (record.status !== status) return `the transfer is ${record.status}`;
  if (record.generation !== run.event.generation) {
    return `the transfer moved to generation ${record.generation} (this run is generation ${run.event.generation})`;
  }
  return undefined;
}

/** A document the run made or cancelled, as its outcome event names it. */
export function documentRef(run: StepRun, name: string, chunk: DocumentChunk): DocumentRef {
  return { doctype: run.definition.doctype, name, chunk: chunk.index, serial_count: chunk.serialCount };
}
