import { describe, expect, it } from 'vitest';
import type { StepView, TransferView } from '../api/types.js';
import { pendingStep } from '../test-support/fixtures.js';
import { attentionOf, cancelPlan, retryPlan, timelineRows } from './transfer-view-model.js';

const pending: StepView = pendingStep;

function view(overrides: Partial<TransferView> = {}): TransferView {
  return {
    transfer_id: 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
    status: 'failed',
    stuck: false,
    current_step: 'dn_a',
    failed_step: 'dn_a',
    generation: 1,
    created_at: '2026-12-05T10:00:00.000Z',
    updated_at: '2026-12-05T10:01:00.000Z',
    request: {
      instances: { a: 'site-a', b: 'site-b' },
      companies: { a: 'Compania A', b_customer_in_a: 'Compania B', a_supplier_in_b: 'Compania A' },
      supplier: 'Proveedor',
      warehouses: { a: 'Stores - CA', b: 'Stores - CB' },
      counts: { items: 1, serials: 2 },
      reference: 'REF-1',
      actor: 'tok_1',
    },
    steps: {
      po_a: {
        ...pending,
        status: 'done',
        attempts: 1,
        documents: [{ doctype: 'Purchase Order', name: 'PO 1/2026', chunk: 0, serial_count: 2 }],
        started_at: '2026-12-05T10:00:01.000Z',
        finished_at: '2026-12-05T10:00:03.000Z',
        duration_ms: 2000,
      },
      pr_a: {
        ...pending,
        status: 'done',
        attempts: 2,
        documents: [
          { doctype: 'Purchase Receipt', name: 'PR-1', chunk: 0, serial_count: 1 },
          { doctype: 'Purchase Receipt', name: 'PR-2', chunk: 1, serial_count: 1 },
        ],
      },
      dn_a: {
        ...pending,
        status: 'failed',
        attempts: 3,
        last_error: { kind: 'permanent', http_status: 417, messages: ['<b>Stock</b> insufficient'] },
      },
      pr_b: pending,
    },
    last_error: { step: 'dn_a', kind: 'permanent', messages: ['<b>Stock</b> insufficient'] },
    ...overrides,
  };
}

describe('timelineRows', () => {
  it('makes one row per step with links on the right site', () => {
    const rows = timelineRows(
      view(),
      new Map([
        ['site-a', 'https://a.example.com'],
        ['site-b', 'https://b.example.com'],
      ]),
    );
    expect(rows.map((row) => row.step)).toEqual(['po_a', 'pr_a', 'dn_a', 'pr_b']);
    expect(rows[0]?.documents).toEqual([
      {
        doctype: 'Purchase Order',
        name: 'PO 1/2026',
        chunk: 0,
        serialCount: 2,
        url: 'https://a.example.com/app/purchase-order/PO%201%2F2026',
        cancelled: false,
      },
    ]);
    expect(rows[0]?.durationMs).toBe(2000);
    expect(rows[2]).toMatchObject({
      status: 'failed',
      attempts: 3,
      failed: true,
      current: true,
      instance: 'site-a',
    });
    expect(rows[2]?.error?.messages).toEqual(['<b>Stock</b> insufficient']);
    expect(rows[3]).toMatchObject({ company: 'b', instance: 'site-b', documents: [], failed: false });
  });

  it('shows names without links when the sites are unknown, and marks cancelled documents', () => {
    const cancelledView = view({
      status: 'cancelled',
      steps: {
        ...view().steps,
        po_a: {
          ...view().steps.po_a,
          status: 'cancelled',
          cancelled_documents: [
            { doctype: 'Purchase Order', name: 'PO 1/2026', chunk: 0, serial_count: 2 },
            { doctype: 'Purchase Order', name: 'PO-found', chunk: 1, serial_count: 0 },
          ],
        },
      },
    });
    const rows = timelineRows(cancelledView);
    expect(rows[0]?.documents.map((doc) => [doc.name, doc.url, doc.cancelled])).toEqual([
      ['PO 1/2026', undefined, true],
      ['PO-found', undefined, true],
    ]);
  });
});

describe('retry and cancel plans', () => {
  it('retry re-runs the failed step, or the failed cancel; nothing else', () => {
    expect(retryPlan(view())).toEqual({ kind: 'retry', step: 'dn_a' });
    expect(retryPlan(view({ status: 'cancel_failed' }))).toEqual({ kind: 'cancel_again' });
    expect(retryPlan(view({ status: 'completed', failed_step: null }))).toBeUndefined();
    expect(retryPlan(view({ status: 'in_progress', failed_step: null }))).toBeUndefined();
  });

  it('cancel lists the documents newest first and says when serials are taken back', () => {
    expect(cancelPlan(view())).toEqual({
      documents: [
        { step: 'pr_a', instance: 'site-a', doctype: 'Purchase Receipt', name: 'PR-2' },
        { step: 'pr_a', instance: 'site-a', doctype: 'Purchase Receipt', name: 'PR-1' },
        { step: 'po_a', instance: 'site-a', doctype: 'Purchase Order', name: 'PO 1/2026' },
      ],
      reclaimsSerials: false,
      runningStep: undefined,
    });
    expect(cancelPlan(view({ status: 'completed' }))?.reclaimsSerials).toBe(true);
    expect(cancelPlan(view({ status: 'cancelling' }))).toBeUndefined();
    expect(cancelPlan(view({ status: 'cancelled' }))).toBeUndefined();
  });

  it('names the step that may be writing when the transfer still runs (its document is cancelled too)', () => {
    expect(
      cancelPlan(view({ status: 'in_progress', current_step: 'dn_a', failed_step: null }))?.runningStep,
    ).toBe('dn_a');
    expect(
      cancelPlan(view({ status: 'waiting', current_step: 'pr_b', failed_step: null }))?.runningStep,
    ).toBe('pr_b');
    expect(
      cancelPlan(view({ status: 'pending', current_step: 'po_a', failed_step: null }))?.runningStep,
    ).toBe('po_a');
    // A failed step writes nothing more; a completed transfer has no step running.
    expect(cancelPlan(view())?.runningStep).toBeUndefined();
    expect(cancelPlan(view({ status: 'completed', current_step: null }))?.runningStep).toBeUndefined();
  });

  it('highlights stuck before waiting', () => {
    expect(attentionOf({ status: 'waiting', stuck: false })).toBe('waiting');
    expect(attentionOf({ status: 'in_progress', stuck: true })).toBe('stuck');
    expect(attentionOf({ status: 'completed', stuck: false })).toBeUndefined();
  });
});
