/**
 * Compensation of one step for one transfer: per chunk, the documents carrying the step's marker
 * (cancelled ones included: a compensation that ran before and crashed before publishing still
 * reports them), each submitted one cancelled exactly once (`cancelOnce`). Drafts are left alone:
 * ERPNext cannot cancel a draft, and a draft has moved no stock. The record is read again before
 * each chunk: a newer generation's compensation takes over. The caller holds the lease (so a
 * forward write still running finishes first), renewed right before each cancel, and publishes
 * the outcome.
 */
import type { IntercoEvent } from '@interco/contracts';
import { cancelOnce, type ErpnextClient, markedDocuments, marker } from '@interco/erpnext';
import type { Logger } from '@interco/service';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { loadTransfer, type ManifestReader } from './chunks.js';
import type { StepDefinition } from './definition.js';
import type { DocumentRef, RecordReader, RunProgress } from './forward.js';
import type { Heartbeat } from './heartbeat.js';
import { LeaseLostError } from './step-errors.js';

export interface CompensationRun {
  definition: StepDefinition;
  event: IntercoEvent;
  record: TransferRecord;
  client: ErpnextClient;
  transfers: RecordReader;
  manifests: ManifestReader;
  heartbeat: Pick<Heartbeat, 'lost'>;
  /** Right before each write: renews the lease, or throws LeaseLostError. */
  beforeWrite: () => Promise<void>;
  leaseKey: string;
  logger: Logger;
  progress: RunProgress;
}

export type CompensationOutcome =
  | { kind: 'cancelled'; documents: DocumentRef[] }
  | { kind: 'stopped'; reason: string };

export async function runCompensation(run: CompensationRun): Promise<CompensationOutcome> {
  const { definition, record, client, logger } = run;
  const { manifest, chunks } = await loadTransfer(run.manifests, record);
  run.progress.manifest = manifest;
  const documents: DocumentRef[] = [];
  for (const chunk of chunks) {
    run.progress.chunk = chunk.index;
    if (run.heartbeat.lost) throw new LeaseLostError(run.leaseKey);
    const stop = await stillCancelling(run);
    if (stop !== undefined) return { kind: 'stopped', reason: stop };
    const found = await markedDocuments(
      client,
      definition.doctype,
      marker(record.transfer_id, definition.step, chunk.index),
      { includeCancelled: true },
    );
    for (const doc of found) {
      const ref: DocumentRef = {
        doctype: definition.doctype,
        name: doc.name,
        chunk: chunk.index,
        serial_count: chunk.serialCount,
      };
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

async function stillCancelling(run: CompensationRun): Promise<string | undefined> {
  const current = await run.transfers.get(run.record.transfer_id);
  if (current === undefined) return 'the transfer record is gone';
  const { status, generation } = current.record;
  if (generation !== run.event.generation) {
    return `the transfer moved to generation ${generation} (this compensation is generation ${run.event.generation})`;
  }
  if (status !== 'cancelling') return `the transfer is ${status}`;
  return undefined;
}
