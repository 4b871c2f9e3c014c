/**
 * Forward work of one step for one transfer: the manifest and its chunks, the definition's
 * `before` (po-a's preflight), then per chunk, with the record read again before each write (a
 * cancel stops forward work before its next write) and the lease renewed right before it (the
 * write then has a whole time to live ahead of it), the chunk's document made exactly once
 * (`insertOnce` with the chunk's marker and expected content). After the last chunk the record is
 * read once more: a cancel that came in meanwhile means no `done` (the compensation finds the
 * documents by their markers). The caller holds the lease and publishes the outcome.
 */
import {
  DocumentBuildError,
  type ErpnextClient,
  expectedContent,
  insertOnce,
  marker,
} from '@interco/erpnext';
import type { ForwardContext } from './definition.js';
import { StepFailure } from './step-errors.js';
import {
  beforeChunk,
  type DocumentRef,
  documentRef,
  loadRunTransfer,
  type StepRun,
  stopReason,
} from './step-run.js';

export interface ForwardRun extends StepRun {
  firstDelivery: boolean;
  clients: { a: ErpnextClient; b: ErpnextClient };
  now: () => Date;
}

export type ForwardOutcome =
  | { kind: 'done'; documents: DocumentRef[] }
  /** The transfer is no longer active at this generation: stop without an outcome event. */
  | { kind: 'stopped'; reason: string };

export async function runForward(run: ForwardRun): Promise<ForwardOutcome> {
  const { definition, record, logger } = run;
  const { manifest, chunks } = await loadRunTransfer(run);
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
    const stop = await beforeChunk(run, chunk, 'active');
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
    documents.push(documentRef(run, result.doc.name, chunk));
  }
  delete run.progress.chunk;
  // A cancel may have come in while the last write ran: then the transfer is no longer this
  // run's to finish, and `done` would move it forward after the cancel.
  const cancelled = await stopReason(run, 'active');
  if (cancelled !== undefined) {
    logger.info(
      { documents: documents.length, reason: cancelled },
      `the transfer changed during the last write: ${definition.step}.done is not published; the compensation finds the documents by their markers`,
    );
    return { kind: 'stopped', reason: cancelled };
  }
  return { kind: 'done', documents };
}
