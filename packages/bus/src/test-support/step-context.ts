/**
 * What a step definition's tests need beyond the demo sites (`demo-sites.ts`): a ForwardContext
 * for a transfer between them (`demo-transfer.ts`) recorded as intake would
 * (`requested-transfer.ts`), the documents an earlier step leaves, and the StepFailure a step
 * throws. The four step services' tests share it (`@interco/bus/test-support`).
 */
import type { TransferRequest } from '@interco/contracts';
import { chunkTransfer, type DocumentChunk, type ErpnextClient, insertOnce, marker } from '@interco/erpnext';
import { createLogger } from '@interco/service';
import type { ForwardContext } from '../step-runtime/definition.js';
import { StepFailure } from '../step-runtime/step-errors.js';
import { requestedTransfer } from './requested-transfer.js';

/**
 * The context a step's `before` and `build` get for `manifest`, acting on `instance`, with a new
 * transfer recorded as intake would (nothing is stored); the manifest's chunks, and the first
 * (the only one of a small transfer).
 */
export function forwardContext(
  manifest: TransferRequest,
  clients: { a: ErpnextClient; b: ErpnextClient },
  instance: 'a' | 'b',
): { ctx: ForwardContext; chunks: DocumentChunk[]; chunk: DocumentChunk } {
  const { transferId, record } = requestedTransfer(manifest);
  const chunks = chunkTransfer(manifest, record.chunking.limits);
  const [chunk] = chunks;
  if (chunk === undefined) throw new Error('the transfer has no chunk');
  return {
    ctx: {
      transferId,
      record,
      manifest,
      clients,
      client: clients[instance],
      today: new Date().toISOString().slice(0, 10),
      logger: createLogger('step-test', { level: 'silent' }),
    },
    chunks,
    chunk,
  };
}

/**
 * The transfer's serials in A's stock, as pr_a leaves them: a submitted Purchase Receipt in A of
 * every serial of the manifest, with pr_a's marker of chunk 0 (the demo site needs no order).
 */
export async function receiveInA(ctx: ForwardContext): Promise<void> {
  await insertOnce(
    ctx.clients.a,
    'Purchase Receipt',
    {
      supplier: ctx.manifest.supplier,
      company: ctx.manifest.company_a_name,
      set_warehouse: ctx.manifest.company_a_warehouse,
      items: ctx.manifest.items.map((item) => ({
        item_code: item.item_code,
        qty: item.serials.length,
        rate: 10,
        serial_no: item.serials.join('\n'),
      })),
    },
    { marker: marker(ctx.transferId, 'pr_a', 0) },
  );
}

/** The StepFailure a step's `before` or `build` rejects with; anything else fails the test. */
export async function stepFailure(work: Promise<unknown> | undefined): Promise<StepFailure> {
  try {
    await work;
  } catch (error) {
    if (error instanceof StepFailure) return error;
    throw error;
  }
  throw new Error('expected a StepFailure, but the step went through');
}
