import { LAST_SEQ_HEADER, mayBeReplayed, sequenceOf } from '../core/live-position.js';
import { SseParser } from '../core/sse-parser.js';
import type { ApiClient } from './client.js';
import type { LiveEventData } from './types.js';

/**
 * The tracker's /v1/live read with fetch and a stream reader (EventSource cannot send the
 * Authorization header), parsed by core/sse-parser.ts; reconnects with `Last-Event-ID` after a
 * growing pause (1 s to 30 s), and stops for good on 401/403.
 *
 * Live without gaps (docs/console.md, "Second pass"): a page opens the stream first and reads
 * its data once `opened` resolves (the stream's headers arrived: every event from then on is
 * delivered), so a change between the read and the open cannot be missed. A reconnection that
 * cannot resume (no event id seen yet, or the tracker no longer knows it: 400, then the id is
 * dropped and the stream opened again at once without it) calls `onResync`: the page reads its
 * data again.
 *
 * A stream opened without `Last-Event-ID` starts a little before "now" (so nothing between the
 * page's read and the open is lost) and may send older events: the tracker says where "now" was
 * (the header `x-interco-last-seq`: core/live-position.ts).
 * Each event comes with `replayed`: its sequence is at most the `last_seq` of the stream the
 * page's data was last read after (a resumed stream keeps that bound: it goes on from it).
 */

export type LiveState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'live' }
  | { readonly kind: 'reconnecting' }
  | { readonly kind: 'refused'; readonly status: number };

export interface LiveOptions {
  /** Only this transfer's events. */
  readonly transferId?: string;
  readonly onEvent: (event: LiveEventData, delivery: LiveDelivery) => void;
  readonly onState: (state: LiveState) => void;
  /** A reconnection started from new events (what happened meanwhile was not delivered). */
  readonly onResync?: () => void;
}

/** What the stream tells of an event besides its data. */
export interface LiveDelivery {
  /**
   * The event may have happened before the stream opened (its sequence ≤ the stream's
   * `x-interco-last-seq`): the page's read, made after the open, may show it already. False when
   * the tracker did not say where the stream opened: then every event is taken as new.
   */
  readonly replayed: boolean;
}

export interface LiveStream {
  /**
   * Resolves once the first connection's answer arrived (its headers: the stream is open), or
   * that attempt failed (the page reads its data anyway, and the reconnection calls onResync).
   */
  readonly opened: Promise<void>;
  close(): void;
}

const MIN_PAUSE_MS = 1000;
const MAX_PAUSE_MS = 30_000;

function isLiveEvent(value: unknown): value is LiveEventData {
  if (typeof value !== 'object' || value === null) return false;
  const data = value as Record<string, unknown>;
  return typeof data.transfer_id === 'string' && typeof data.type === 'string';
}

export function openLive(client: ApiClient, options: LiveOptions): LiveStream {
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let pause = MIN_PAUSE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    markOpened = resolve;
  });
  /** Whether a connection was attempted before (a later one that cannot resume is a resync). */
  let attempted = false;
  /**
   * The event stream's last sequence when the stream the page's data was read after opened (the
   * latest connection without `Last-Event-ID`); undefined when the tracker did not say.
   */
  let lastSeqAtOpen: number | undefined;

  const run = async (): Promise<void> => {
    options.onState({ kind: 'connecting' });
    /** After this attempt: reconnect after the pause, at once, or not at all. */
    let ended: 'retry' | 'again' | 'stop' = 'retry';
    const resumes = lastEventId !== undefined;
    const again = attempted;
    attempted = true;
    try {
      const response = await client.fetch('tracker', '/v1/live', {
        query:
          options.transferId === undefined ? '' : `transfer_id=${encodeURIComponent(options.transferId)}`,
        headers: {
          accept: 'text/event-stream',
          ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
        },
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        options.onState({ kind: 'refused', status: response.status });
        if (response.status === 401) client.onUnauthorized?.();
        ended = 'stop';
      } else if (response.status === 400 && lastEventId !== undefined) {
        // The tracker no longer knows the id (too old): open again at once without it, a resync.
        lastEventId = undefined;
        void response.body?.cancel().catch(() => undefined);
        ended = 'again';
      } else if (response.ok && response.body !== null) {
        // A new stream (not resumed) sets where the page's next read stands; a resumed one goes
        // on from the same place.
        const fresh = !resumes;
        if (fresh) lastSeqAtOpen = sequenceOf(response.headers.get(LAST_SEQ_HEADER));
        options.onState({ kind: 'live' });
        markOpened();
        if (again && !resumes) options.onResync?.();
        pause = MIN_PAUSE_MS;
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const messages = parser.push(value);
          for (const message of messages) {
            if (message.id !== undefined) lastEventId = message.id;
            let data: unknown;
            try {
              data = JSON.parse(message.data);
            } catch {
              continue;
            }
            if (isLiveEvent(data))
              options.onEvent(data, { replayed: mayBeReplayed(message.id, lastSeqAtOpen) });
          }
        }
      }
    } catch {
      // Network error or closed: reconnect below (unless closed by us).
    }
    markOpened();
    if (controller.signal.aborted || ended === 'stop') return;
    options.onState({ kind: 'reconnecting' });
    if (ended === 'again') {
      timer = setTimeout(() => void run(), 0);
      return;
    }
    timer = setTimeout(() => void run(), pause);
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  };
  void run();
  return {
    opened,
    close() {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
