/**
 * `--watch` and `transfer watch <id>`: follows the transfer and shows it (frames on stdout, or
 * with --json one JSON line per distinct view); the exit code says how it ended: 0 completed or
 * cancelled, 1 failed or cancel_failed, 130 after Ctrl-C.
 */
import type { TransferView } from '../api/schemas.js';
import type { CommandContext } from '../commands/command.js';
import { INTERRUPTED_EXIT_CODE } from '../failure.js';
import { followTransfer } from './follow-transfer.js';
import { FrameDisplay } from './frame-display.js';
import { renderFrame, renderNotYetSeen } from './render-frame.js';
import { exitCodeOfStatus } from './transfer-status.js';

/** What a view shows, without the clock: two reads with the same key draw the same frame. */
function viewKey(view: TransferView | undefined): string {
  return view === undefined ? 'not yet seen' : JSON.stringify(view);
}

export async function watchTransfer(
  context: CommandContext,
  transferId: string,
  minGeneration?: number,
): Promise<number> {
  const { out, json, now, timing } = context;
  const signal = context.io.signal;
  const inPlace = !json && out.stdout.isTTY === true;
  const display = new FrameDisplay(out.stdout, inPlace);
  const startedAt = now();
  let last: { view: TransferView | undefined } | undefined;
  let lastJson: string | undefined;

  const draw = () => {
    if (last === undefined) return;
    const view = last.view;
    const lines =
      view === undefined
        ? renderNotYetSeen(transferId, now() - startedAt, out.paint)
        : renderFrame(view, new Date(now()), { paint: out.paint });
    display.show(lines, viewKey(view));
  };
  const onView = (view: TransferView | undefined) => {
    last = { view };
    if (json) {
      const text = JSON.stringify(view ?? null);
      if (view !== undefined && text !== lastJson) out.json(view, true);
      lastJson = text;
      return;
    }
    draw();
  };
  const ticker = inPlace ? setInterval(draw, timing.tickMs) : undefined;
  try {
    const final = await followTransfer({
      api: context.api,
      transferId,
      ...(minGeneration === undefined ? {} : { minGeneration }),
      timing,
      now,
      ...(signal === undefined ? {} : { signal }),
      onView,
      onNotice: (text) => {
        display.detach();
        out.note(out.errPaint.dim(text));
      },
    });
    return exitCodeOfStatus(final.status);
  } catch (error) {
    if (signal?.aborted === true) {
      display.detach();
      out.note(`stopped watching ${transferId} (it goes on: \`interco transfer watch ${transferId}\`)`);
      return INTERRUPTED_EXIT_CODE;
    }
    throw error;
  } finally {
    clearInterval(ticker);
  }
}
