/**
 * The tracker's live stream (`/v1/live`, all transfers or one) as the CLI follows it: opened
 * again after it ends or drops, resumed where it stopped (Last-Event-ID), with a pause that grows
 * while streams keep ending at once, and a give-up once reopening has failed for too long.
 * `interco tail` and the watch (`followTransfer`) both follow it through this.
 */
import type { ApiClient, StreamResponse } from '../api/client.js';
import { readSse, type SseMessage } from '../api/sse.js';
import { CliFailure } from '../failure.js';
import type { WatchTiming } from '../io.js';
import { formatDuration } from './format.js';
import { ReopenBackoff } from './reopen-backoff.js';

export interface LiveStreamOptions {
  readonly api: ApiClient;
  /** Only this transfer's events; every transfer's when absent. */
  readonly transferId?: string | undefined;
  readonly timing: Pick<WatchTiming, 'pollMs' | 'liveRetryMs'>;
  readonly now: () => number;
  readonly signal?: AbortSignal | undefined;
  /** A line about the connection (a resume refused, a pause grown), for stderr. */
  readonly onNotice: (text: string) => void;
  /** How long reopening may fail in a row before `keepTrying` says stop (default: never). */
  readonly giveUpAfterMs?: number;
}

export class LiveStream {
  /** The id of the last event read: where a reopened stream resumes. */
  #lastEventId: string | undefined;
  #failingSince: number | undefined;
  readonly #backoff: ReopenBackoff;

  constructor(private readonly options: LiveStreamOptions) {
    const { pollMs, liveRetryMs } = options.timing;
    this.#backoff = new ReopenBackoff(pollMs, Math.max(pollMs, liveRetryMs), options.now);
  }

  /**
   * Opens the stream, resuming after the last event read. A resume the tracker refuses as too
   * far back (its 400 on Last-Event-ID, docs/tracker.md "Live") is said and the stream opened
   * from now instead; any other failure throws as `ApiClient.stream` does.
   */
  async open(): Promise<StreamResponse> {
    const { api, transferId, signal } = this.options;
    const attempt = () =>
      api.stream('tracker', '/v1/live', {
        query: { transfer_id: transferId },
        lastEventId: this.#lastEventId,
        ...(signal === undefined ? {} : { signal }),
      });
    let stream: StreamResponse;
    try {
      stream = await attempt();
    } catch (error) {
      if (this.#lastEventId === undefined || !resumeRefused(error)) throw error;
      this.options.onNotice(
        `the live stream moved on too far while disconnected: events after #${this.#lastEventId} were missed; following from now (interco transfer list shows the current states)`,
      );
      this.#lastEventId = undefined;
      stream = await attempt();
    }
    this.#failingSince = undefined;
    this.#backoff.opened();
    return stream;
  }

  /** The stream's events; each one's id is kept to resume from. */
  async *messages(stream: StreamResponse): AsyncGenerator<SseMessage, void, undefined> {
    for await (const message of readSse(stream.body)) {
      if (message.id !== undefined) this.#lastEventId = message.id;
      yield message;
    }
  }

  /**
   * The stream ended or dropped (`lost` says how): the pause before opening it again. One notice
   * each time the pause grows, not one per reopen; a stream that ends right after its headers
   * is thus never reopened in a tight loop.
   */
  pause(lost: string): number {
    const pause = this.#backoff.ended();
    if (pause.longer) this.options.onNotice(`${lost}: resuming it in ${formatDuration(pause.delayMs)}`);
    return pause.delayMs;
  }

  /** Opening or reading failed again: false once it has failed for longer than `giveUpAfterMs`. */
  keepTrying(): boolean {
    const now = this.options.now();
    this.#failingSince ??= now;
    return this.options.giveUpAfterMs === undefined || now - this.#failingSince <= this.options.giveUpAfterMs;
  }
}

/** How a dropped stream is said: "the live stream dropped (reason)". */
export function dropped(error: unknown): string {
  return `the live stream dropped (${error instanceof Error ? error.message : String(error)})`;
}

/** The tracker's 400 for a Last-Event-ID it can no longer resume from (too far back). */
function resumeRefused(error: unknown): boolean {
  return (
    error instanceof CliFailure &&
    error.details.status === 400 &&
    (error.details.problems ?? []).some((problem) => problem.path === 'Last-Event-ID')
  );
}
