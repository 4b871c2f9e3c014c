/**
 * po-a: the Purchase Order(s) in company A, one per chunk of the transfer. Before the first one,
 * the preflight checks both instances for everything the transfer needs and fails the transfer
 * with every problem found, before any document exists.
 */
import { type ForwardContext, type StepDefinition, StepFailure, TransientStepError } from '@interco/bus';
import {
  buildPurchaseOrder,
  type ErpnextDoc,
  findByMarker,
  MarkerError,
  marker,
  type PreflightReport,
  preflight,
} from '@interco/erpnext';
import type { Logger } from '@interco/service';

/** Problems that say an instance could not be read now, not that something is wrong in it. */
const NOT_NOW = new Set(['instance_unreachable', 'read_failed']);

export const poA: StepDefinition = {
  step: 'po_a',
  service: 'po-a',
  instance: 'a',
  doctype: 'Purchase Order',

  async before(ctx) {
    // The preflight is for a transfer with no document yet. A redelivery after the orders were
    // made (an ack lost) must not check again: by then the serials may be in A's stock, received
    // by pr-a, which the preflight would report as a problem.
    const first = await existingOrder(ctx);
    if (first.length > 0) {
      ctx.logger.info({ document: first[0]?.name }, 'an order exists already: the preflight passed before');
      return;
    }
    const report = await preflight(ctx.clients, ctx.manifest, { today: ctx.today });
    checkPreflight(report, ctx);
    ctx.logger.info({}, 'preflight passed');
  },

  async build(ctx, chunk) {
    return buildPurchaseOrder(ctx.manifest, ctx.transferId, chunk, ctx.today);
  },
};

/** The order of chunk 0, if made already (none when A lacks the marker field: the preflight says so). */
async function existingOrder(ctx: ForwardContext): Promise<ErpnextDoc[]> {
  try {
    return await findByMarker(ctx.client, 'Purchase Order', marker(ctx.transferId, 'po_a', 0));
  } catch (error) {
    if (error instanceof MarkerError && error.reason === 'marker_field_missing') return [];
    throw error;
  }
}

/**
 * Nothing found: returns. An instance that could not be reached or read: TransientStepError
 * (tried again later). Otherwise StepFailure with every problem, one line each, naming the company
 * and its instance; retryable once a person has fixed them.
 */
export function checkPreflight(
  report: PreflightReport,
  ctx: { record: { instances: { a: string; b: string } }; logger: Pick<Logger, 'warn'> },
): void {
  if (report.ok) return;
  const lines = report.problems.map(
    (problem) =>
      `company ${problem.instance.toUpperCase()} (${ctx.record.instances[problem.instance]}): ${problem.message}`,
  );
  const checks = report.problems.map((problem) => problem.check);
  if (report.problems.some((problem) => NOT_NOW.has(problem.check))) {
    ctx.logger.warn({ checks }, 'preflight could not read an instance: trying again later');
    throw new TransientStepError(lines);
  }
  ctx.logger.warn({ checks }, 'preflight found problems: the transfer fails');
  throw new StepFailure(lines, { retryable: true });
}
