import { sampleRequest } from '@interco/bus/test-support';
import { foldTransfer, type IntercoEvent } from '@interco/contracts';
import { toTransferView } from '@interco/tracker';
import { TransferHistory } from '@interco/tracker/test-support/histories';
import { describe, expect, it } from 'vitest';
import { fits } from '../api/check-answer.js';
import { TransferView } from '../api/schemas.js';
import { plainText } from '../plain-text.js';
import { COLOURS, visibleLength } from './paint.js';
import { renderFrame, renderNotYetSeen } from './render-frame.js';

const ID = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';
const STUCK_AFTER_MS = 15 * 60_000;

/** The tracker's view of `events` at `now`, as its API answers it (toTransferView of the fold). */
function viewOf(events: readonly IntercoEvent[], now: Date): TransferView {
  const state = foldTransfer(events);
  if (state === undefined) throw new Error('no state');
  const view = toTransferView({ _id: ID, state }, { now, stuckAfterMs: STUCK_AFTER_MS });
  if (view === undefined || !fits(TransferView, view)) throw new Error('the view does not fit');
  return view;
}

/** The frame, `afterMs` after the last event. */
function frame(events: readonly IntercoEvent[], afterMs = 2_500): string {
  const last = events.at(-1);
  const now = new Date(Date.parse(last?.time ?? '') + afterMs);
  return renderFrame(viewOf(events, now), now).join('\n');
}

/** A transfer of 30 serials in 3 items, with a reference, just requested. */
function requested(): TransferHistory {
  const history = new TransferHistory(ID).requested(sampleRequest(30, 3));
  const event = history.events[0];
  if (event?.type !== 'transfer.requested') throw new Error('no transfer.requested');
  event.data.reference = 'PO-2026-0042';
  return history;
}

describe('renderFrame', () => {
  it('draws a transfer from pending to completed, one frame per event', () => {
    const history = requested();
    const frames = [frame(history.events)];
    for (const step of ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const) {
      history.done(step);
      frames.push(frame(history.events));
    }
    expect(frames[0]).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  pending
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials
        po_a running                   2.5s so far
        pr_a pending
        dn_a pending
        pr_b pending
      pending: po_a has not reported yet"
    `);
    expect(frames[1]).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  in_progress
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a running                   2.5s so far
        dn_a pending
        pr_b pending
      in progress: pr_a (Purchase Receipt in company A) for 2.5s"
    `);
    expect(frames[3]).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  in_progress
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a done          1 attempt   1.0s           PR_A-8T0Y1B
        dn_a done          1 attempt   1.0s           DN_A-8T0Y1B
        pr_b running                   2.5s so far
      in progress: pr_b (Purchase Receipt in company B) for 2.5s"
    `);
    expect(frames[4]).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  completed
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a done          1 attempt   1.0s           PR_A-8T0Y1B
        dn_a done          1 attempt   1.0s           DN_A-8T0Y1B
        pr_b done          1 attempt   1.0s           PR_B-8T0Y1B
      completed in 4.0s"
    `);
  });

  it('shows ERPNext’s messages in full under the step that failed, and what to do', () => {
    const history = requested().forward(['po_a', 'pr_a']);
    history.event('dn_a.failed', {
      instance: 'erp-a',
      error: {
        kind: 'permanent',
        http_status: 417,
        exc_type: 'ValidationError',
        messages: [
          'Serial No SN-1-3 does not belong to Warehouse Stores - A',
          'Row #2: Qty must be greater than 0\n(item ITEM-2)',
        ],
      },
      attempt: 1,
      retryable: true,
    });
    expect(frame(history.events)).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  failed
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a done          1 attempt   1.0s           PR_A-8T0Y1B
        dn_a failed        1 attempt
              error: permanent, HTTP 417, ValidationError
              > Serial No SN-1-3 does not belong to Warehouse Stores - A
              > Row #2: Qty must be greater than 0
                (item ITEM-2)
        pr_b pending
      failed at dn_a (Delivery Note in company A): fix the cause, then \`interco transfer retry tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B\` (or \`interco transfer cancel tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B\`)"
    `);
  });

  it('shows a waiting step with its reason and next attempt, and a stuck transfer', () => {
    const history = requested().forward(['po_a']).waiting('pr_a', 1).waiting('pr_a', 2);
    expect(frame(history.events, 10_000)).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  waiting
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a waiting       2 attempts  12.0s so far
              waiting: rate limited, next attempt in 19.0s
        dn_a pending
        pr_b pending
      waiting at pr_a (Purchase Receipt in company A): rate limited"
    `);
    expect(frame(history.events, STUCK_AFTER_MS + 60_000)).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  waiting  STUCK
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials
        stuck: no event for 16m00s (are the step services running?)
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a waiting       2 attempts  16m02s so far
              waiting: rate limited, next attempt now
        dn_a pending
        pr_b pending
      waiting at pr_a (Purchase Receipt in company A): rate limited"
    `);
  });

  it('shows a retried transfer’s generation, a cancelled one and a failed cancel', () => {
    const retried = requested();
    retried.done('po_a').failed('pr_a').retry('pr_a');
    expect(frame(retried.events)).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  in_progress
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials | generation 2
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a running                   2.5s so far
              last error: permanent, HTTP 417, ValidationError: Serial No [serial items[0].serials[0]] is already present
        dn_a pending
        pr_b pending
      in progress: pr_a (Purchase Receipt in company A) for 2.5s"
    `);
    const cancelled = requested().forward().cancel().compensate();
    expect(frame(cancelled.events)).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  cancelled
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials | generation 2
        po_a cancelled     1 attempt   1.0s           PO_A-8T0Y1B
        pr_a cancelled     1 attempt   1.0s           PR_A-8T0Y1B
        dn_a cancelled     1 attempt   1.0s           DN_A-8T0Y1B
        pr_b cancelled     1 attempt   1.0s           PR_B-8T0Y1B
      cancelled: every document it made is cancelled"
    `);
    // Only po_a and pr_a made documents: compensation (pr_b, dn_a, pr_a, po_a) has nothing to
    // cancel for pr_b and dn_a, and fails at pr_a.
    const cancelFailed = requested().forward(['po_a', 'pr_a']).cancel();
    cancelFailed.event('pr_b.cancelled', { instance: 'erp-b', documents: [] });
    cancelFailed.event('dn_a.cancelled', { instance: 'erp-a', documents: [] });
    cancelFailed.cancelFailed('pr_a');
    expect(frame(cancelFailed.events)).toMatchInlineSnapshot(`
      "transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B  cancel_failed
        reference PO-2026-0042 | erp-a -> erp-b | 3 items, 30 serials | generation 2
        po_a done          1 attempt   1.0s           PO_A-8T0Y1B
        pr_a cancel_failed 1 attempt   1.0s           PR_A-8T0Y1B
              error: permanent
              > Cannot cancel: a stock period is frozen
        dn_a cancelled
        pr_b cancelled
      cancel failed: fix the cause, then \`interco transfer retry tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B\` runs the cancellation again"
    `);
  });

  it('prints remote text without control characters (ERPNext could send escape sequences)', () => {
    const history = requested().forward(['po_a', 'pr_a']);
    history.event('dn_a.failed', {
      instance: 'erp-a',
      error: {
        kind: 'permanent',
        exc_type: 'Validation\u001b[2JError',
        messages: [
          'Serial No\u001b]0;pwned\u0007 SN-1 is \u009b31mgone\r\nsee\u001b]52;c;ZXZpbA==\u0007 log',
        ],
      },
      attempt: 1,
      retryable: true,
    });
    const text = frame(history.events);
    expect(plainText(text)).toBe(text);
    expect(text).toContain('error: permanent, Validation[2JError');
    expect(text).toContain('> Serial No]0;pwned SN-1 is 31mgone\n          see]52;c;ZXZpbA== log');
  });

  it('colours only when asked, and the colours do not change the text', () => {
    const history = requested().forward(['po_a']);
    const now = new Date(Date.parse(history.events.at(-1)?.time ?? '') + 1000);
    const plain = renderFrame(viewOf(history.events, now), now);
    const coloured = renderFrame(viewOf(history.events, now), now, { paint: COLOURS });
    expect(plain.join('\n')).not.toContain('\u001b[');
    expect(coloured.join('\n')).toContain('\u001b[');
    expect(coloured.map(visibleLength)).toEqual(plain.map((line) => line.length));
  });

  it('says when the tracker has not shown the transfer yet', () => {
    expect(renderNotYetSeen(ID, 1_500)).toEqual([
      `transfer ${ID}`,
      '  not yet shown by the tracker (waited 1.5s)',
    ]);
  });
});
