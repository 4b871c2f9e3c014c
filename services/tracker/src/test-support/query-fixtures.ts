/**
 * Transfers for the query tests and the benchmark: their events (as intake and the steps would
 * publish them), built with `newEvent`, so the read model folds them like any other.
 */
import {
  type DataOf,
  type EventType,
  type IntercoEvent,
  newEvent,
  newTransferId,
  STEP_INFO,
  STEPS,
  type Step,
} from '@interco/contracts';

export interface TransferShape {
  readonly transferId?: string;
  /** When it was requested (its next events come one second apart). */
  readonly createdAt: Date;
  readonly instances?: { readonly a: string; readonly b: string };
  readonly companyA?: string;
  readonly companyB?: string;
  readonly reference?: string;
  /** How far it went: `requested` (pending at po_a), `<n>_done` (n steps done), `failed_at_<step>`. */
  readonly outcome?: 'requested' | 'completed' | 'waiting' | `failed_at_${Step}` | `done_${1 | 2 | 3}`;
  readonly serials?: number;
  readonly manifest?: { readonly ref: string; readonly digest: string };
}

/** The events of one transfer, in publication order. */
export function transferEvents(shape: TransferShape): IntercoEvent[] {
  const transferId = shape.transferId ?? newTransferId(shape.createdAt.getTime());
  const instances = shape.instances ?? { a: 'erp-a', b: 'erp-b' };
  const events: IntercoEvent[] = [];
  let n = 0;
  const add = <T extends EventType>(type: T, data: DataOf<T>, generation = 1) => {
    const at = new Date(shape.createdAt.getTime() + n * 1000);
    n++;
    events.push(
      newEvent(
        type,
        { transferid: transferId, generation, actor: 'tok_test', source: 'interco/test' },
        data,
        at,
      ),
    );
  };
  add('transfer.requested', {
    manifest: shape.manifest ?? { ref: `t_manifests/${transferId}`, digest: `sha256:${'0'.repeat(64)}` },
    instances,
    companies: {
      a: shape.companyA ?? 'Company A',
      b_customer_in_a: shape.companyB ?? 'Company B',
      a_supplier_in_b: shape.companyA ?? 'Company A',
    },
    supplier: 'Supplier A',
    warehouses: { a: 'Stores - A', b: 'Stores - B' },
    counts: { items: 1, serials: shape.serials ?? 2 },
    ...(shape.reference === undefined ? {} : { reference: shape.reference }),
  });
  const instanceOf = (step: Step) => (STEP_INFO[step].company === 'a' ? instances.a : instances.b);
  const done = (step: Step) =>
    add(`${step}.done`, {
      instance: instanceOf(step),
      documents: [
        { doctype: STEP_INFO[step].doctype, name: `${step}-${transferId}`, chunk: 0, serial_count: 2 },
      ],
      attempt: 1,
      duration_ms: 900,
    });
  const outcome = shape.outcome ?? 'requested';
  if (outcome === 'completed') for (const step of STEPS) done(step);
  else if (outcome.startsWith('done_'))
    for (const step of STEPS.slice(0, Number(outcome.slice(5)))) done(step);
  else if (outcome === 'waiting')
    add('po_a.waiting', {
      instance: instances.a,
      reason: 'rate_limited',
      next_attempt_at: new Date(shape.createdAt.getTime() + 60_000).toISOString(),
      attempt: 1,
    });
  else if (outcome.startsWith('failed_at_')) {
    const failed = outcome.slice('failed_at_'.length) as Step;
    for (const step of STEPS.slice(0, STEPS.indexOf(failed))) done(step);
    add(`${failed}.failed`, {
      instance: instanceOf(failed),
      error: { kind: 'permanent', http_status: 417, messages: ['Serial No SN-X not found'] },
      attempt: 1,
      retryable: true,
    });
  }
  return events;
}
