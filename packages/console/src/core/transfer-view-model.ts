import {
  type DocumentRef,
  type ErrorInfo,
  STEPS,
  type Step,
  type StepStatus,
  type TransferView,
} from '../api/types.js';
import { documentUrl } from './doc-links.js';

/**
 * What the transfer page shows, computed from a TransferView (pure: the page only turns it into
 * DOM nodes): the four steps as timeline rows with their documents' links, and what Retry and
 * Cancel would do.
 */

/** Which company's ERPNext each step writes to. */
export const STEP_COMPANY: Readonly<Record<Step, 'a' | 'b'>> = { po_a: 'a', pr_a: 'a', dn_a: 'a', pr_b: 'b' };

export interface TimelineDocument {
  readonly doctype: DocumentRef['doctype'];
  readonly name: string;
  readonly chunk: number;
  readonly serialCount: number;
  /** The document on its ERPNext site; undefined when the site's base URL is not known. */
  readonly url: string | undefined;
  readonly cancelled: boolean;
}

export interface TimelineRow {
  readonly step: Step;
  readonly company: 'a' | 'b';
  /** The instance the step writes to (from the request summary). */
  readonly instance: string | undefined;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly documents: readonly TimelineDocument[];
  readonly error: ErrorInfo | null;
  readonly waiting: { readonly reason: string; readonly nextAttemptAt: string } | null;
  /** The step the transfer is at (running or waiting). */
  readonly current: boolean;
  /** The step the transfer failed at. */
  readonly failed: boolean;
}

const key = (doc: Pick<DocumentRef, 'doctype' | 'name'>) => `${doc.doctype}\n${doc.name}`;

/** The timeline rows, po_a to pr_b; `baseUrls` maps instance ids to their sites (undefined: no links). */
export function timelineRows(view: TransferView, baseUrls?: ReadonlyMap<string, string>): TimelineRow[] {
  return STEPS.map((step) => {
    const state = view.steps[step];
    const company = STEP_COMPANY[step];
    const instance = view.request?.instances[company];
    const base = instance === undefined ? undefined : baseUrls?.get(instance);
    const cancelled = new Set(state.cancelled_documents.map(key));
    const made = new Set(state.documents.map(key));
    const toRow = (doc: DocumentRef): TimelineDocument => ({
      doctype: doc.doctype,
      name: doc.name,
      chunk: doc.chunk,
      serialCount: doc.serial_count,
      url: documentUrl(base, doc.doctype, doc.name),
      cancelled: cancelled.has(key(doc)),
    });
    const documents = [
      ...state.documents.map(toRow),
      // A cancelled document its done event did not name (e.g. found by its marker while cancelling).
      ...state.cancelled_documents.filter((doc) => !made.has(key(doc))).map(toRow),
    ];
    return {
      step,
      company,
      instance,
      status: state.status,
      attempts: state.attempts,
      startedAt: state.started_at,
      finishedAt: state.finished_at,
      durationMs: state.duration_ms,
      documents,
      error: state.last_error,
      waiting:
        state.waiting === null
          ? null
          : { reason: state.waiting.reason, nextAttemptAt: state.waiting.next_attempt_at },
      current: view.current_step === step && view.status !== 'completed',
      failed: view.failed_step === step,
    };
  });
}

/** What Retry would do, or undefined when the transfer cannot be retried (intake would answer 409). */
export type RetryPlan =
  /** The failed step runs again; what was made already is found by its marker, not made twice. */
  | { readonly kind: 'retry'; readonly step: Step }
  /** The failed cancel runs again, from pr_b back to po_a. */
  | { readonly kind: 'cancel_again' };

export function retryPlan(view: TransferView): RetryPlan | undefined {
  if (view.status === 'failed' && view.failed_step !== null) return { kind: 'retry', step: view.failed_step };
  if (view.status === 'cancel_failed') return { kind: 'cancel_again' };
  return undefined;
}

/** What Cancel would do, or undefined when it cannot (cancelling or cancelled already). */
export interface CancelPlan {
  /** The documents that will be cancelled, newest first (pr_b back to po_a, last chunk first). */
  readonly documents: readonly {
    readonly step: Step;
    /** The instance the document is in (the same name can exist on both sites). */
    readonly instance: string | undefined;
    readonly doctype: DocumentRef['doctype'];
    readonly name: string;
  }[];
  /** A completed transfer takes its serials back first (refused if another transfer holds one). */
  readonly reclaimsSerials: boolean;
  /**
   * The step that may be writing to ERPNext right now (the transfer still runs): a write in
   * progress is finished, then its document is found by its marker and cancelled with the others;
   * the step makes no further document (docs/pipeline.md, "Retry and cancel").
   */
  readonly runningStep: Step | undefined;
}

const RUNNING: readonly TransferView['status'][] = ['pending', 'in_progress', 'waiting'];

export function cancelPlan(view: TransferView): CancelPlan | undefined {
  if (view.status === 'cancelling' || view.status === 'cancelled') return undefined;
  const documents = [...STEPS].reverse().flatMap((step) => {
    const state = view.steps[step];
    const cancelled = new Set(state.cancelled_documents.map(key));
    return state.documents
      .filter((doc) => !cancelled.has(key(doc)))
      .sort((x, y) => y.chunk - x.chunk)
      .map((doc) => ({
        step,
        instance: view.request?.instances[STEP_COMPANY[step]],
        doctype: doc.doctype,
        name: doc.name,
      }));
  });
  const runningStep =
    RUNNING.includes(view.status) && view.current_step !== null ? view.current_step : undefined;
  return { documents, reclaimsSerials: view.status === 'completed', runningStep };
}

/** Whether a list row is highlighted, and why (a class and a text badge: never colour alone). */
export function attentionOf(view: Pick<TransferView, 'status' | 'stuck'>): 'stuck' | 'waiting' | undefined {
  if (view.stuck) return 'stuck';
  if (view.status === 'waiting') return 'waiting';
  return undefined;
}
