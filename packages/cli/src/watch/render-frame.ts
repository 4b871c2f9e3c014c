/**
 * A transfer as a frame of text: pure, from the tracker's view and the time to lines (the
 * watch display redraws them in place on a terminal, or prints each distinct frame). A header
 * (id, status, reference, instances), one line per step (state, attempts, duration or elapsed,
 * documents), ERPNext's messages in full under a step that failed, and a final line saying where
 * the transfer is and what can be done.
 */

import { STEP_INFO, STEPS, type Step } from '@interco/contracts';
import type { DocumentRef, StepView, TransferView } from '../api/schemas.js';
import { plainText } from '../plain-text.js';
import { formatDuration, plural, since } from './format.js';
import { type Paint, PLAIN } from './paint.js';

export interface RenderOptions {
  readonly paint?: Paint;
  /** Most document names shown per step (default 3; the rest are counted). */
  readonly maxDocuments?: number;
}

const RUNNING: ReadonlySet<string> = new Set(['pending', 'in_progress', 'waiting', 'cancelling']);

/** What a step is doing, for a person: the tracker's status, or `running` for the current step. */
export function stepState(view: TransferView, step: Step): string {
  const status = view.steps[step].status;
  if (status === 'pending' && view.current_step === step && RUNNING.has(view.status)) {
    return view.status === 'cancelling' ? 'cancelling' : 'running';
  }
  return status;
}

function colourOf(state: string, paint: Paint): (text: string) => string {
  switch (state) {
    case 'done':
    case 'cancelled':
    case 'completed':
      return paint.green;
    case 'failed':
    case 'cancel_failed':
      return paint.red;
    case 'running':
    case 'waiting':
    case 'cancelling':
    case 'in_progress':
      return paint.yellow;
    default:
      return paint.dim;
  }
}

function documentNames(documents: readonly DocumentRef[], max: number): string {
  if (documents.length === 0) return '';
  const names = documents.slice(0, max).map((doc) => plainText(doc.name));
  const more = documents.length - names.length;
  return more > 0 ? `${names.join(', ')} +${more} more` : names.join(', ');
}

function timeOf(step: StepView, state: string, now: Date): string {
  if (step.duration_ms !== null) return formatDuration(step.duration_ms);
  if (state === 'running' || state === 'waiting' || state === 'cancelling') {
    const elapsed = since(step.started_at, now);
    if (elapsed !== undefined) return `${formatDuration(elapsed)} so far`;
  }
  return '';
}

function errorSummary(error: NonNullable<StepView['last_error']>): string {
  const parts: string[] = [error.kind];
  if (error.http_status !== undefined) parts.push(`HTTP ${error.http_status}`);
  if (error.exc_type !== undefined) parts.push(plainText(error.exc_type));
  if (error.chunk !== undefined) parts.push(`chunk ${error.chunk}`);
  return parts.join(', ');
}

function stepLines(view: TransferView, step: Step, now: Date, paint: Paint, maxDocuments: number): string[] {
  const data = view.steps[step];
  const state = stepState(view, step);
  const attempts = data.attempts === 0 ? '' : plural(data.attempts, 'attempt');
  const documents = documentNames(data.documents, maxDocuments);
  const cancelled = documentNames(data.cancelled_documents, maxDocuments);
  const docs = [documents, cancelled === '' ? '' : `cancelled ${cancelled}`].filter((part) => part !== '');
  const colour = colourOf(state, paint);
  // Padding goes outside the colours, so columns line up and trailing blanks trim alike.
  const pad = (text: string, width: number, painted = text) =>
    painted + ' '.repeat(Math.max(0, width - text.length));
  const line = [
    `  ${paint.bold(step)}`,
    pad(state, 13, colour(state)),
    pad(attempts, 11),
    pad(timeOf(data, state, now), 14),
    docs.join('; '),
  ]
    .join(' ')
    .trimEnd();
  const lines = [line];
  if (data.waiting !== null && state === 'waiting') {
    const wait = since(now.toISOString(), new Date(data.waiting.next_attempt_at));
    const when =
      wait === undefined ? data.waiting.next_attempt_at : wait > 0 ? `in ${formatDuration(wait)}` : 'now';
    lines.push(
      `        ${paint.yellow(`waiting: ${plainText(data.waiting.reason).replaceAll('_', ' ')}, next attempt ${when}`)}`,
    );
  }
  const error = data.last_error;
  if (error !== null) {
    if (state === 'failed' || state === 'cancel_failed') {
      lines.push(`        ${paint.red(`error: ${errorSummary(error)}`)}`);
      for (const message of error.messages) {
        for (const [i, text] of plainText(message).split('\n').entries())
          lines.push(`        ${i === 0 ? '> ' : '  '}${text}`);
      }
    } else if (state === 'running' || state === 'waiting') {
      const first = error.messages[0] === undefined ? undefined : plainText(error.messages[0]);
      lines.push(
        paint.dim(
          `        last error: ${errorSummary(error)}${first === undefined ? '' : `: ${first.split(/\r?\n/)[0]}`}`,
        ),
      );
    }
  }
  return lines;
}

function header(view: TransferView, now: Date, paint: Paint): string[] {
  const status = colourOf(view.status, paint)(view.status);
  const lines = [
    `${paint.bold(`transfer ${view.transfer_id}`)}  ${status}${view.stuck ? `  ${paint.red('STUCK')}` : ''}`,
  ];
  const request = view.request;
  const parts: string[] = [];
  if (request === null) parts.push('request not yet seen');
  else {
    if (request.reference !== null) parts.push(`reference ${plainText(request.reference)}`);
    parts.push(`${plainText(request.instances.a)} -> ${plainText(request.instances.b)}`);
    parts.push(`${plural(request.counts.items, 'item')}, ${plural(request.counts.serials, 'serial')}`);
  }
  if (view.generation > 1) parts.push(`generation ${view.generation}`);
  lines.push(`  ${parts.join(' | ')}`);
  if (view.stuck) {
    const quiet = since(view.updated_at, now);
    lines.push(
      `  ${paint.red(`stuck: no event for ${quiet === undefined ? 'a long time' : formatDuration(quiet)}`)} (are the step services running?)`,
    );
  }
  return lines;
}

/** Whether a name is one of the four steps. */
export function isStep(name: string | null): name is Step {
  return name !== null && (STEPS as readonly string[]).includes(name);
}

/** `pr_a (Purchase Receipt in company A)`. */
function describeStep(name: string | null): string {
  if (!isStep(name)) return name ?? '?';
  const info = STEP_INFO[name];
  return `${name} (${info.doctype} in company ${info.company.toUpperCase()})`;
}

function footer(view: TransferView, now: Date, paint: Paint): string {
  const id = view.transfer_id;
  const step = isStep(view.current_step) ? view.current_step : null;
  const where = describeStep;
  switch (view.status) {
    case 'completed': {
      const total = since(view.created_at, new Date(view.updated_at));
      return paint.green(`completed${total === undefined ? '' : ` in ${formatDuration(total)}`}`);
    }
    case 'cancelled':
      return paint.green('cancelled: every document it made is cancelled');
    case 'failed':
      return paint.red(
        `failed at ${where(view.failed_step)}: fix the cause, then \`interco transfer retry ${id}\` (or \`interco transfer cancel ${id}\`)`,
      );
    case 'cancel_failed':
      return paint.red(
        `cancel failed: fix the cause, then \`interco transfer retry ${id}\` runs the cancellation again`,
      );
    case 'pending':
      return paint.dim('pending: po_a has not reported yet');
    case 'waiting': {
      const waiting = step === null ? null : view.steps[step].waiting;
      return paint.yellow(
        `waiting at ${where(step)}${waiting === null ? '' : `: ${waiting.reason.replaceAll('_', ' ')}`}`,
      );
    }
    case 'cancelling':
      return paint.yellow('cancelling: cancelling its documents, last first');
    case 'in_progress': {
      const elapsed = step === null ? undefined : since(view.steps[step].started_at, now);
      return paint.yellow(
        `in progress: ${where(step)}${elapsed === undefined ? '' : ` for ${formatDuration(elapsed)}`}`,
      );
    }
    default:
      return view.status;
  }
}

/** The frame of a transfer at `now`, as lines (no trailing newline). */
export function renderFrame(view: TransferView, now: Date, options: RenderOptions = {}): string[] {
  const paint = options.paint ?? PLAIN;
  const maxDocuments = options.maxDocuments ?? 3;
  return [
    ...header(view, now, paint),
    ...STEPS.flatMap((step) => stepLines(view, step, now, paint, maxDocuments)),
    footer(view, now, paint),
  ];
}

/** The frame while the tracker has not shown the transfer yet (just submitted). */
export function renderNotYetSeen(transferId: string, waitedMs: number, paint: Paint = PLAIN): string[] {
  return [
    paint.bold(`transfer ${transferId}`),
    paint.dim(`  not yet shown by the tracker (waited ${formatDuration(waitedMs)})`),
  ];
}
