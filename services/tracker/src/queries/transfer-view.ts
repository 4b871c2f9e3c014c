import { STEPS, type Step, type StepState, type TransferState } from '@interco/contracts';
import type { RequestSummary, StepView, TransferError, TransferView } from '../http/schemas.js';
import { isStuck, type StuckClock } from './stuck.js';

/** What a view needs of a stored document (a list fetches only this: no journal). */
export interface ViewableDocument {
  readonly _id: string;
  readonly state: TransferState | null;
}

function durationMs(step: StepState): number | null {
  if (step.started_at === undefined || step.finished_at === undefined) return null;
  const ms = Date.parse(step.finished_at) - Date.parse(step.started_at);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export function toStepView(step: StepState): StepView {
  return {
    status: step.status,
    attempts: step.attempts,
    documents: step.documents,
    cancelled_documents: step.cancelled_documents,
    last_error: step.last_error ?? null,
    waiting: step.waiting ?? null,
    started_at: step.started_at ?? null,
    finished_at: step.finished_at ?? null,
    duration_ms: durationMs(step),
  };
}

function requestSummary(state: TransferState): RequestSummary | null {
  const requested = state.requested;
  if (requested === undefined) return null;
  return {
    instances: requested.instances,
    companies: requested.companies,
    supplier: requested.supplier,
    warehouses: requested.warehouses,
    counts: requested.counts,
    reference: requested.reference ?? null,
    actor: state.actor,
  };
}

/**
 * The error that holds the transfer back: the failed step's, else a step whose cancel failed,
 * else the current step's last one (kept after a retry until the step is done).
 */
export function transferError(state: TransferState): TransferError | null {
  const candidates: (Step | null | undefined)[] = [
    state.failed_step,
    STEPS.find((step) => state.steps[step].status === 'cancel_failed'),
    state.current_step,
  ];
  for (const step of candidates) {
    if (step === null || step === undefined) continue;
    const error = state.steps[step].last_error;
    if (error !== undefined) return { step, ...error };
  }
  return null;
}

/** A stored transfer as the API shows it; undefined while its state is null (not shown). */
export function toTransferView(doc: ViewableDocument, clock: StuckClock): TransferView | undefined {
  const state = doc.state;
  if (state === null) return undefined;
  return {
    transfer_id: state.transfer_id,
    status: state.status,
    stuck: isStuck(state.status, state.updated_at, clock),
    current_step: state.current_step,
    failed_step: state.failed_step ?? null,
    generation: state.generation,
    created_at: state.created_at,
    updated_at: state.updated_at,
    request: requestSummary(state),
    steps: {
      po_a: toStepView(state.steps.po_a),
      pr_a: toStepView(state.steps.pr_a),
      dn_a: toStepView(state.steps.dn_a),
      pr_b: toStepView(state.steps.pr_b),
    },
    last_error: transferError(state),
  };
}
