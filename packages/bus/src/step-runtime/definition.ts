/**
 * What one step service is: the four step services differ only in this definition; everything
 * else (consumer, decisions, leases, retries, events) is the runtime's.
 */
import type { Step, TransferRequest } from '@interco/contracts';
import type { DocumentChunk, ErpnextClient } from '@interco/erpnext';
import type { Logger } from '@interco/service';
import type { TransferRecord } from '../stores/transfer-record.schema.js';

export interface StepDefinition {
  step: Step;
  /** The service's name, e.g. `po-a`: events carry `interco/<service>` as their source. */
  service: string;
  /** Which company's ERPNext the step's documents are made in. */
  instance: 'a' | 'b';
  doctype: 'Purchase Order' | 'Purchase Receipt' | 'Delivery Note';
  /**
   * po-a only: runs before any document (the preflight). Throws StepFailure to fail the transfer,
   * TransientStepError to try again later.
   */
  before?(ctx: ForwardContext): Promise<void>;
  /** The request body of this step's document for one chunk (may read ERPNext: the PO of the chunk...). */
  build(ctx: ForwardContext, chunk: DocumentChunk): Promise<Record<string, unknown>>;
}

/** What a definition gets to work with, for one forward run of one transfer. */
export interface ForwardContext {
  transferId: string;
  /** The transfer record as read when the run began. */
  record: TransferRecord;
  /** The transfer's manifest (items and serials): never log it. */
  manifest: TransferRequest;
  clients: { a: ErpnextClient; b: ErpnextClient };
  /** The client of the step's own instance. */
  client: ErpnextClient;
  /** YYYY-MM-DD (UTC) when the run began. */
  today: string;
  /** Carries transfer_id, step, generation and attempt. */
  logger: Logger;
}
