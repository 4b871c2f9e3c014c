/**
 * Compensation of one step for one transfer: per chunk, the documents carrying the step's marker
 * (cancelled ones included: a compensation that ran before and crashed before publishing still
 * reports them), each submitted one cancelled exactly once (`cancelOnce`). Drafts are left alone:
 * ERPNext cannot cancel a draft, and a draft has moved no stock. The record is read again before
 * each chunk: a newer generation's compensation takes over. The caller holds the lease (so a
 * forward write still running finishes first), renewed right before each cancel, and publishes
 * the outcome.
 */
import { cancelOnce, type ErpnextClient, markedDocuments, marker } from '@interco/erpnext';
import { LeaseLostError } from './step-errors.js';
import { beforeChunk, type DocumentRef, documentRef, loadRunTransfer, type StepRun } from './step-run.js';

export interface CompensationRun extends StepRun {
  client: ErpnextClient;
}

export type CompensationOutcome =
  | { kind: 'cancelled'; documents: DocumentRef[] }
  | { kind: 'stopped'; reason: string };

export async function runCompensation(run: CompensationRun): Promise<CompensationOutcome> {
  const { definition, record, client, logger } = run;
  const { chunks } = await loadRunTransfer(run);
  const documents: DocumentRef[] = [];
  for (const chunk of chunks) {
    const stop = await beforeChunk(run, chunk, 'cancelling');
    if (stop !== undefined) return { kind: 'stopped', reason: stop };
    const found = await markedDocuments(
      client,
      definition.doctype,
      marker(record.transfer_id, definition.step, chunk.index),
      { includeCancelled: true },
    );
    for (const doc of found) {
      const ref = documentRef(run, doc.name, chunk);
      if (doc.docstatus === 2) {
        logger.info({ chunk: chunk.index, document: doc.name }, `${definition.doctype} already cancelled`);
        documents.push(ref);
        continue;
      }
      if (doc.docstatus === 0) {
        logger.warn(
          { chunk: chunk.index, document: doc.name },
          `${definition.doctype} is a draft: left as it is (a draft cannot be cancelled and moved no stock)`,
        );
        continue;
      }
      if (run.heartbeat.lost) throw new LeaseLostError(run.leaseKey);
      await run.beforeWrite();
      const result = await cancelOnce(client, definition.doctype, doc.name);
      logger.info(
        { chunk: chunk.index, document: doc.name, outcome: result.outcome },
        `${definition.doctype} of chunk ${chunk.index}: ${result.outcome}`,
      );
      documents.push(ref);
    }
  }
  delete run.progress.chunk;
  return { kind: 'cancelled', documents };
}
