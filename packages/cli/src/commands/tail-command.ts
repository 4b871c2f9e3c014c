/** `interco tail`: the live events (all transfers, or one), one line each, until Ctrl-C (exit 0). */
import { checkAnswer } from '../api/check-answer.js';
import type { StreamResponse } from '../api/client.js';
import { LiveEvent } from '../api/schemas.js';
import { readSse } from '../api/sse.js';
import { CliFailure } from '../failure.js';
import { sleep } from '../io.js';
import { formatDuration } from '../watch/format.js';
import { ReopenBackoff } from '../watch/reopen-backoff.js';
import { type Command, stringFlag } from './command.js';

/** How long reconnecting may fail in a row before tail gives up (exit 6). */
const GIVE_UP_AFTER_MS = 60_000;

export const tail: Command = {
  path: ['tail'],
  summary: 'Print live events as they happen, one line each (Ctrl-C ends it, exit 0)',
  description:
    "The tracker's /v1/live stream: time, transfer, event, generation and stream sequence. A dropped connection is resumed where it stopped (Last-Event-ID). With --json, each event's data as one line of JSON.",
  args: [],
  flags: { transfer: { type: 'string', value: 'ID', description: 'only this transfer' } },
  examples: [
    'interco tail',
    'interco tail --transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
    'interco tail --json | jq -r .type',
  ],
  async run(context) {
    const { api, out, io } = context;
    const signal = io.signal;
    const transferId = stringFlag(context, 'transfer');
    let lastEventId: string | undefined;
    let failingSince: number | undefined;
    let connected = false;
    const aborted = () => signal?.aborted === true;
    const { pollMs, liveRetryMs } = context.timing;
    /** The pause before reopening a stream that ended (it grows while they keep ending at once). */
    const backoff = new ReopenBackoff(pollMs, Math.max(pollMs, liveRetryMs), context.now);
    /** Waits before the next open; one note each time the pause grows, not one per reopen. */
    const pauseBeforeReopening = async (lost: string) => {
      const pause = backoff.ended();
      if (pause.longer)
        out.note(out.errPaint.dim(`${lost}: resuming it in ${formatDuration(pause.delayMs)}`));
      await sleep(pause.delayMs, signal).catch(() => undefined);
    };
    while (!aborted()) {
      let stream: StreamResponse | undefined;
      try {
        stream = await api.stream('tracker', '/v1/live', {
          query: { transfer_id: transferId },
          lastEventId,
          ...(signal === undefined ? {} : { signal }),
        });
        failingSince = undefined;
        backoff.opened();
        if (!connected)
          out.note(out.errPaint.dim(`following ${transferId ?? 'every transfer'} (Ctrl-C ends)`));
        connected = true;
        for await (const message of readSse(stream.body)) {
          if (message.id !== undefined) lastEventId = message.id;
          let data: unknown;
          try {
            data = JSON.parse(message.data);
          } catch {
            throw new CliFailure(
              'unexpected',
              `the tracker's live stream sent an event that is not JSON (id ${message.id ?? '?'})`,
            );
          }
          const event = checkAnswer(LiveEvent, data, "an event of the tracker's live stream");
          if (context.json) out.json(event, true);
          else
            out.line(
              `${event.time}  ${event.transfer_id}  ${event.type.padEnd(26)} gen ${event.generation}  #${event.seq}`,
            );
        }
        if (aborted()) break;
        // Never reopened at once: a stream that ends right after its headers would be a tight loop.
        stream.close();
        await pauseBeforeReopening('the live stream ended');
      } catch (error) {
        if (aborted()) break;
        if (lastEventId !== undefined && resumeRefused(error)) {
          // The tracker keeps no resume point that far back (docs/tracker.md, "Live"): say so
          // and follow from now; the events in between are not printed.
          out.note(
            out.errPaint.dim(
              `the live stream moved on too far while disconnected: events after #${lastEventId} were missed; following from now (interco transfer list shows the current states)`,
            ),
          );
          lastEventId = undefined;
          continue;
        }
        const retryable = !(error instanceof CliFailure) || error.kind === 'unreachable';
        if (!connected || !retryable) throw error;
        const now = context.now();
        failingSince ??= now;
        if (now - failingSince > GIVE_UP_AFTER_MS) throw error;
        stream?.close();
        await pauseBeforeReopening(
          `the live stream dropped (${error instanceof Error ? error.message : String(error)})`,
        );
      } finally {
        stream?.close();
      }
    }
    return 0;
  },
};

/** The tracker's 400 for a Last-Event-ID it can no longer resume from (too far back). */
function resumeRefused(error: unknown): boolean {
  return (
    error instanceof CliFailure &&
    error.details.status === 400 &&
    (error.details.problems ?? []).some((problem) => problem.path === 'Last-Event-ID')
  );
}
