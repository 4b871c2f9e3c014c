/**
 * Forward work of one step for one transfer: the manifest and its chunks, the definition's
 * `before` (po-a's preflight), then per chunk, with the record read again before each write (a
 * cancel stops forward work before its next write) and the lease renewed right before it (the
 * write then has a whole time to live ahead of it), the chunk's document made exactly once
 * (`insertOnce` with the chunk's marker and expected content). After the last chunk the record is
 * read once more: a cancel that came in meanwhile means no `done` (the compensation finds the
 * documents by their markers). The caller holds the lease and publishes the outcome.
 */
import type { DocumentRef as DocumentRefSchema, IntercoEvent, TransferRequest } from '@interco/contracts';
import {
  DocumentBuildError,
  type ErpnextClient,
  expectedContent,
  insertOnce,
  marker,
} from '@interco/erpnext';
import type { Logger } from '@interco/service';
import type { Static } from '@sinclair/typebox';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { loadTransfer, type ManifestReader } from './chunks.js';
import type { ForwardContext, StepDefinition } from './definition.js';
import type { Heartbeat } from './heartbeat.js';
import { LeaseLostError, StepFailure } from './step-errors.js';

export type DocumentRef = Static<typeof DocumentRefSchema>;

export interface RecordReader {
  get(id: string): Promise<{ record: TransferRecord } | undefined>;
}

export interface ForwardRun {
  definition: StepDefinition;
  event: IntercoEvent;
  record: TransferRecord;
  firstDelivery: boolean;
  clients: { a: ErpnextClient; b: ErpnextClient };
  transfers: RecordReader;
  manifests: ManifestReader;
  heartbeat: Pick<Heartbeat, 'lost'>;
  /** Right before each write: renews the lease, or throws LeaseLostError. */
  beforeWrite: () => Promise<void>;
  leaseKey: string;
  logger: Logger;
  now: () => Date;
  /**
   * Updated as the run goes: the chunk being worked on (for the failure's ErrorInfo), and the
   * manifest once loaded (its serials are taken out of ERPNext's messages before they are published).
   */
  progress: RunProgress;
}

export interface RunProgress {
  chunk?: number;
  manifest?: TransferRequest;
}

export type ForwardOutcome =
  | { kind: 'done'; documents: DocumentRef[] }
  /** The transfer is no longer active at this generation: stop without an outcome event. */
  | { kind: 'stopped'; reason: string };

export async function runForward(run: ForwardRun): Promise<ForwardOutcome> {
  const { definition, record, logger } = run;
  const { manifest, chunks } = await loadTransfer(run.manifests, record);
  run.progress.manifest = manifest;
  const client = run.clients[definition.instance];
  const ctx: ForwardContext = {
    transferId: record.transfer_id,
    record,
    manifest,
    clients: run.clients,
    client,
    today: run.now().toISOString().slice(0, 10),
    logger,
  };
  if (definition.before !== undefined) await definition.before(ctx);

  const documents: DocumentRef[] = [];
  for (const chunk of chunks) {
    run.progress.chunk = chunk.index;
    if (run.heartbeat.lost) throw new LeaseLostError(run.leaseKey);
    const stop = await stillActive(run);
    if (stop !== undefined) return { kind: 'stopped', reason: stop };
    let body: Record<string, unknown>;
    try {
      body = await definition.build(ctx, chunk);
    } catch (error) {
      if (error instanceof DocumentBuildError) {
        throw new StepFailure(
          [`The ${definition.doctype} of chunk ${chunk.index} cannot be built: ${error.message}`],
          { retryable: true, chunk: chunk.index },
        );
      }
      throw error;
    }
    await run.beforeWrite();
    const result = await insertOnce(client, definition.doctype, body, {
      marker: marker(record.transfer_id, definition.step, chunk.index),
      firstDelivery: run.firstDelivery,
      expected: expectedContent(chunk),
    });
    logger.info(
      {
        chunk: chunk.index,
        chunks: chunks.length,
        document: result.doc.name,
        outcome: result.outcome,
        via: result.via,
        serial_count: chunk.serialCount,
      },
      `${definition.doctype} of chunk ${chunk.index}: ${result.outcome}`,
    );
    documents.push({
      doctype: definition.doctype,
      name: result.doc.name,
      chunk: chunk.index,
      serial_count: chunk.serialCount,
    });
  }
  delete run.progress.chunk;
  // A cancel may have come in while the last write ran: then the transfer is no longer this
  // run's to finish, and `done` would move it forward after the cancel.
  const cancelled = await stillActive(run);
  if (cancelled !== undefined) {
    logger.info(
      { documents: documents.length, reason: cancelled },
      `the transfer changed during the last write: ${definition.step}.done is not published; the compensation finds the documents by their markers`,
    );
    return { kind: 'stopped', reason: cancelled };
  }
  return { kind: 'done', documents };
}

/** undefined while forward work may go on; else why it stops. */
async function stillActive(run: ForwardRun): Promise<string | undefined> {
  const current = await run.transfers.get(run.record.transfer_id);
  if (current === undefined) return 'the transfer record is gone';
  const { status, generation } = current.record;
  if (status !== 'active') return `the transfer is ${status}`;
  if (generation !== run.event.generation) {
    return `the transfer moved to generation ${generation} (this run is generation ${run.event.generation})`;
  }
  return undefined;
}
