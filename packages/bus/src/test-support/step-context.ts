/**
 * A ForwardContext for a step definition's tests: the demo sites of the ERPNext simulator (marker
 * field installed), a transfer between them, and a transfer record as intake would store it.
 * The four step services' tests share it (`@interco/bus/test-support`).
 */
import { newEvent, newTransferId, type TransferRequest, validateTransferRequest } from '@interco/contracts';
import {
  chunkingFingerprint,
  chunkTransfer,
  type DocumentChunk,
  ErpnextClient,
  prepareInstance,
  resolveChunkingLimits,
} from '@interco/erpnext';
import { type RunningSite, type Simulator, startSimulator } from '@interco/erpnext-sim';
import { createLogger } from '@interco/service';
import type { ForwardContext } from '../step-runtime/definition.js';
import type { TransferRecord } from '../stores/transfer-record.schema.js';

export interface DemoSites {
  sim: Simulator;
  a: RunningSite;
  b: RunningSite;
  clients: { a: ErpnextClient; b: ErpnextClient };
  close(): Promise<void>;
}

export async function demoSites(options: { prepare?: boolean } = {}): Promise<DemoSites> {
  const sim = await startSimulator({ sites: 'demo', inspection: true });
  const a = sim.sites.find((site) => site.name === 'company-a');
  const b = sim.sites.find((site) => site.name === 'company-b');
  if (a === undefined || b === undefined) throw new Error('the demo sites are missing');
  const client = (id: string, site: RunningSite) =>
    new ErpnextClient({ id, name: id, base_url: site.url, api_key: site.apiKey, api_secret: site.apiSecret });
  const clients = { a: client('company-a', a), b: client('company-b', b) };
  if (options.prepare !== false) {
    await prepareInstance(clients.a);
    await prepareInstance(clients.b);
  }
  return {
    sim,
    a,
    b,
    clients,
    async close() {
      await clients.a.close();
      await clients.b.close();
      await sim.close();
    },
  };
}

/** A transfer between the demo sites: `perItem` serials of PIN-001 and PIN-002. */
export function demoTransfer(
  perItem: number,
  prefix: string,
  more: Record<string, unknown> = {},
): TransferRequest {
  const result = validateTransferRequest({
    company_a_instance_id: 'company-a',
    company_b_instance_id: 'company-b',
    supplier: 'Proveedor de Pines SA',
    company_a_name: 'Compania A',
    company_b_customer_name: 'Compania B',
    company_a_supplier_name: 'Compania A',
    company_a_warehouse: 'Stores - CA',
    company_b_warehouse: 'Stores - CB',
    items: ['PIN-001', 'PIN-002'].map((item_code, n) => ({
      item_code,
      qty: perItem,
      rate: '10.50',
      transfer_rate: '12.25',
      serials: Array.from({ length: perItem }, (_, i) => `${prefix}${n}${String(i).padStart(6, '0')}`),
    })),
    ...more,
  });
  if (!result.ok) throw new Error(`invalid test transfer: ${JSON.stringify(result.problems.slice(0, 3))}`);
  return result.value;
}

export function forwardContext(
  manifest: TransferRequest,
  clients: { a: ErpnextClient; b: ErpnextClient },
  instance: 'a' | 'b',
): { ctx: ForwardContext; chunks: DocumentChunk[] } {
  const transferId = newTransferId();
  const limits = resolveChunkingLimits({});
  const serials = manifest.items.reduce((sum, item) => sum + item.serials.length, 0);
  const requested = newEvent(
    'transfer.requested',
    { transferid: transferId, generation: 1, actor: 'tok_test', source: 'interco/intake' },
    {
      manifest: { ref: transferId, digest: `sha256:${'0'.repeat(64)}` },
      instances: { a: manifest.company_a_instance_id, b: manifest.company_b_instance_id },
      companies: {
        a: manifest.company_a_name,
        b_customer_in_a: manifest.company_b_customer_name,
        a_supplier_in_b: manifest.company_a_supplier_name,
      },
      supplier: manifest.supplier,
      warehouses: { a: manifest.company_a_warehouse, b: manifest.company_b_warehouse },
      counts: { items: manifest.items.length, serials },
    },
  );
  const record: TransferRecord = {
    transfer_id: transferId,
    status: 'active',
    generation: 1,
    created_at: requested.time,
    updated_at: requested.time,
    actor: 'tok_test',
    request_digest: `sha256:${'1'.repeat(64)}`,
    manifest: requested.data.manifest,
    chunking: { limits: { ...limits }, fingerprint: chunkingFingerprint(limits) },
    instances: requested.data.instances,
    counts: requested.data.counts,
    requested_event: requested,
  };
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
    chunks: chunkTransfer(manifest, limits),
  };
}
