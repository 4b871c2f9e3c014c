import { REREAD_DELAYS_MS } from './live-reread.js';

/**
 * The re-reads a live event asks for (core/live-reread.ts: the tracker's read model follows the
 * stream a moment later), one chain per key (a transfer id). An event starts a new chain for its
 * key after the first pause (events come in bursts: one read for a burst), read again after the
 * next pauses while the read shows the transfer behind the event; a new event or a resync
 * replaces the key's chain (its scheduled read cleared), and a read of a replaced chain still
 * answering schedules nothing. Used by the transfers list and the transfer page.
 */
export interface LiveRereads<K> {
  /** An event of `eventTime` about `key`. */
  afterEvent(key: K, eventTime: string): void;
  /** One read of `key` now, no follow-up (a resync: what may have been missed). */
  readOnce(key: K): void;
  /** Cancels every scheduled read (the page is left). */
  stop(): void;
}

export interface LiveRereadOptions<K> {
  /**
   * Resolves once the page's first read is there (events that came meanwhile are applied then):
   * false when it never came (nothing is re-read then).
   */
  readonly ready: () => Promise<boolean>;
  /** Reads `key` and applies it; answers whether the read is still behind `eventTime`. */
  readonly read: (key: K, eventTime: string) => Promise<boolean>;
  readonly signal: AbortSignal;
}

/** A key's chain of reads (compared by identity: a replaced chain is no longer the key's). */
interface Chain {
  timer: ReturnType<typeof setTimeout> | undefined;
}

export function liveRereads<K>(options: LiveRereadOptions<K>): LiveRereads<K> {
  const chains = new Map<K, Chain>();

  /** Reads once; while behind, schedules the read after `pauses[0]` (the rest after it). */
  const run = async (key: K, eventTime: string, pauses: readonly number[], chain: Chain) => {
    if (chains.get(key) === chain) chain.timer = undefined;
    if (!(await options.ready()) || options.signal.aborted) return;
    const behind = await options.read(key, eventTime);
    if (options.signal.aborted || chains.get(key) !== chain || chain.timer !== undefined) return;
    const [pause, ...later] = pauses;
    if (behind && pause !== undefined)
      chain.timer = setTimeout(() => void run(key, eventTime, later, chain), pause);
    else chains.delete(key);
  };

  /** A new chain for `key`: its first read after `wait` (at once when undefined). */
  const start = (key: K, eventTime: string, wait: number | undefined, pauses: readonly number[]) => {
    clearTimeout(chains.get(key)?.timer);
    const chain: Chain = { timer: undefined };
    chains.set(key, chain);
    if (wait === undefined) void run(key, eventTime, pauses, chain);
    else chain.timer = setTimeout(() => void run(key, eventTime, pauses, chain), wait);
  };

  const [firstPause, ...followUps] = REREAD_DELAYS_MS;
  return {
    afterEvent: (key, eventTime) => start(key, eventTime, firstPause, followUps),
    readOnce: (key) => start(key, new Date().toISOString(), undefined, []),
    stop: () => {
      for (const chain of chains.values()) clearTimeout(chain.timer);
      chains.clear();
    },
  };
}
