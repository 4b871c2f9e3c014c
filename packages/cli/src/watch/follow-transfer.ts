/**
 * Follows one transfer until it is final: the tracker's live stream for it (`/v1/live?
 * transfer_id=`), the transfer read again after each event (and every `refreshMs`, in case one
 * was missed); a dropped stream is resumed with Last-Event-ID; when the stream answers 503 or
 * fails to open, the transfer is polled instead (and the stream tried again later). A transfer
 * just submitted may not be shown yet (404): that is waited for, at most `notYetSeenMs`.
 */

import { fits } from '../api/check-answer.js';
import type { ApiClient, StreamResponse } from '../api/client.js';
import { LiveEvent, TransferView } from '../api/schemas.js';
import type { SseMessage } from '../api/sse.js';
import { CliFailure } from '../failure.js';
import { sleep, type WatchTiming } from '../io.js';
import { formatDuration } from './format.js';
import { dropped, LiveStream } from './live-stream.js';
import { isFinal } from './transfer-status.js';

export interface FollowOptions {
  readonly api: ApiClient;
  readonly transferId: string;
  /** The generation a retry or cancel opened: a final status of an older one does not end the watch. */
  readonly minGeneration?: number;
  readonly timing: WatchTiming;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  /** Each read: the view, or undefined while the tracker does not show the transfer yet. */
  readonly onView: (view: TransferView | undefined) => void;
  /** A line about the connection (live stream lost, polling...), for stderr. */
  readonly onNotice?: (text: string) => void;
}

/** How long the read model may lag behind a live event before the watch stops reading fast. */
const CATCH_UP_MS = 10_000;

/** The `time` of a live event in ms, if it has one. */
function eventTime(message: SseMessage): number | undefined {
  try {
    const data: unknown = JSON.parse(message.data);
    if (!fits(LiveEvent, data)) return undefined;
    const ms = Date.parse(data.time);
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves with the final view; rejects with a CliFailure, or the signal's reason on abort. */
export async function followTransfer(options: FollowOptions): Promise<TransferView> {
  const { api, transferId, timing, signal } = options;
  const minGeneration = options.minGeneration ?? 1;
  const startedAt = options.now();
  let lastView: TransferView | undefined;
  let unreachableSince: number | undefined;
  const notice = (text: string) => options.onNotice?.(text);

  const read = async (): Promise<TransferView | undefined> => {
    try {
      const answer = await api.call(
        'tracker',
        'GET',
        `/v1/transfers/${encodeURIComponent(transferId)}`,
        TransferView,
        {
          ...(signal === undefined ? {} : { signal }),
        },
      );
      lastView = answer.body;
      unreachableSince = undefined;
      options.onView(answer.body);
      return answer.body;
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      // A tracker that goes away once the transfer was seen (a restart) is waited for, a while.
      if (error instanceof CliFailure && error.kind === 'unreachable' && lastView !== undefined) {
        const now = options.now();
        if (unreachableSince === undefined) {
          unreachableSince = now;
          notice(`${error.message}: trying again for ${formatDuration(timing.unreachableMs)}`);
        }
        if (now - unreachableSince < timing.unreachableMs) return lastView;
      }
      if (!(error instanceof CliFailure) || error.kind !== 'not_found' || lastView !== undefined) throw error;
      const waited = options.now() - startedAt;
      if (waited < timing.notYetSeenMs) {
        options.onView(undefined);
        return undefined;
      }
      throw new CliFailure(
        'not_found',
        `the tracker has not shown transfer ${transferId} after ${formatDuration(waited)}: is it the right id, and is the tracker running and following the stream?`,
      );
    }
  };
  /** The view when the watch is over (final in the generation waited for), else undefined. */
  const final = (view: TransferView | undefined): TransferView | undefined =>
    view !== undefined && isFinal(view, minGeneration) ? view : undefined;

  /** Polls for `forMs` (or until final); the last view. */
  const poll = async (forMs: number): Promise<TransferView | undefined> => {
    const until = options.now() + forMs;
    let view: TransferView | undefined;
    do {
      await sleep(timing.pollMs, signal);
      view = await read();
      if (final(view) !== undefined) return view;
    } while (options.now() < until);
    return view;
  };

  let view = await read();
  const ended = final(view);
  if (ended !== undefined) return ended;
  /** The time of the last live event, while the view does not show it yet (at most CATCH_UP_MS). */
  let behind: { time: number; until: number } | undefined;
  const live = new LiveStream({ api, transferId, timing, now: options.now, signal, onNotice: notice });
  for (;;) {
    let stream: StreamResponse;
    try {
      stream = await live.open();
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (error instanceof CliFailure && (error.kind === 'auth' || error.kind === 'refused')) throw error;
      notice(
        `live updates unavailable (${error instanceof Error ? error.message : String(error)}): polling every ${formatDuration(timing.pollMs)}`,
      );
      view = await poll(timing.liveRetryMs);
      const ended = final(view);
      if (ended !== undefined) return ended;
      continue;
    }
    /** Why the stream is being reopened (it ended, or dropped with this reason). */
    let lost: string;
    try {
      // Read again once the stream is open: an event between the last read and now is not missed.
      view = await read();
      const ended = final(view);
      if (ended !== undefined) return ended;
      const messages = live.messages(stream)[Symbol.asyncIterator]();
      // A pending read is dropped when the stream closes: its rejection is expected, not unhandled.
      const nextMessage = () => {
        const pending = messages.next();
        pending.catch(() => undefined);
        return pending;
      };
      let next = nextMessage();
      for (;;) {
        // The live stream comes from the stream itself, the view from the tracker's read model,
        // which may not have applied the event yet: until it has, read again every pollMs.
        if (
          behind !== undefined &&
          view !== undefined &&
          (Date.parse(view.updated_at) >= behind.time || options.now() > behind.until)
        ) {
          behind = undefined;
        }
        const wait = view === undefined || behind !== undefined ? timing.pollMs : timing.refreshMs;
        const timer = new AbortController();
        const stop = () => timer.abort();
        signal?.addEventListener('abort', stop, { once: true });
        const outcome = await Promise.race([
          next,
          sleep(wait, timer.signal).then(
            () => 'refresh' as const,
            () => 'stopped' as const,
          ),
        ]).finally(() => {
          timer.abort();
          signal?.removeEventListener('abort', stop);
        });
        if (outcome === 'stopped') throw signal?.reason;
        if (outcome === 'refresh') {
          view = await read();
          const ended = final(view);
          if (ended !== undefined) return ended;
          continue;
        }
        if (outcome.done === true) break;
        const message: SseMessage = outcome.value;
        const time = eventTime(message);
        if (time !== undefined) behind = { time, until: options.now() + CATCH_UP_MS };
        next = nextMessage();
        view = await read();
        const ended = final(view);
        if (ended !== undefined) return ended;
      }
      lost = 'the live stream ended';
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (error instanceof CliFailure) throw error;
      lost = dropped(error);
    } finally {
      stream.close();
    }
    // Never reopened at once: a stream that ends right after its headers would be a tight loop.
    // The transfer is still read meanwhile (every pollMs).
    view = await poll(live.pause(lost));
    const ended = final(view);
    if (ended !== undefined) return ended;
  }
}
