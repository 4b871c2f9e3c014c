/** `interco tail`: the live events (all transfers, or one), one line each, until Ctrl-C (exit 0). */
import { checkAnswer } from '../api/check-answer.js';
import type { StreamResponse } from '../api/client.js';
import { LiveEvent } from '../api/schemas.js';
import { CliFailure } from '../failure.js';
import { sleep } from '../io.js';
import { dropped, LiveStream } from '../watch/live-stream.js';
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
    let connected = false;
    const aborted = () => signal?.aborted === true;
    const live = new LiveStream({
      api,
      transferId,
      timing: context.timing,
      now: context.now,
      signal,
      onNotice: (text) => out.note(out.errPaint.dim(text)),
      giveUpAfterMs: GIVE_UP_AFTER_MS,
    });
    /** Waits before the next open (the pause grows while streams keep ending at once). */
    const pauseBeforeReopening = async (lost: string) => {
      await sleep(live.pause(lost), signal).catch(() => undefined);
    };
    while (!aborted()) {
      let stream: StreamResponse | undefined;
      try {
        stream = await live.open();
        if (!connected)
          out.note(out.errPaint.dim(`following ${transferId ?? 'every transfer'} (Ctrl-C ends)`));
        connected = true;
        for await (const message of live.messages(stream)) {
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
        stream.close();
        await pauseBeforeReopening('the live stream ended');
      } catch (error) {
        if (aborted()) break;
        const retryable = !(error instanceof CliFailure) || error.kind === 'unreachable';
        if (!connected || !retryable || !live.keepTrying()) throw error;
        stream?.close();
        await pauseBeforeReopening(dropped(error));
      } finally {
        stream?.close();
      }
    }
    return 0;
  },
};
