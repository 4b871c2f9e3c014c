import { decodeEvent, type IntercoEvent, type Problem, transferFilter } from '@interco/contracts';
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { BusNames } from '../names.js';

/** One event of a transfer's history, with its stream sequence. */
export interface HistoryEntry {
  seq: number;
  event: IntercoEvent;
}

export interface HistoryOptions {
  /** Called for a message on the transfer's subjects that is not a valid event (it is skipped). */
  onInvalid?: (seq: number, problems: Problem[]) => void;
  /** How long one fetch waits for messages the consumer said are there (default 5 s). */
  fetchTimeoutMs?: number;
}

/** A transfer id usable as one subject token (no `.`, `*`, `>` or space). */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** Most messages asked for in one fetch. */
const BATCH = 256;

/**
 * A transfer's events in stream order: an ordered consumer over `<prefix>.t.<id>.>`, delivering
 * everything, read until caught up (the consumer counts what is pending when it is created, so an
 * unknown transfer answers at once). Messages that are not valid events are skipped.
 */
export async function readTransferHistory(
  js: JetStreamClient,
  names: BusNames,
  transferId: string,
  options: HistoryOptions = {},
): Promise<HistoryEntry[]> {
  if (!SUBJECT_TOKEN.test(transferId)) return [];
  const consumer = await js.consumers.get(names.stream, {
    filter_subjects: transferFilter(transferId, names.subjectPrefix),
    deliver_policy: DeliverPolicy.All,
  });
  const history: HistoryEntry[] = [];
  try {
    let pending = (await consumer.info(true)).num_pending;
    while (pending > 0) {
      const messages = await consumer.fetch({
        max_messages: Math.min(pending, BATCH),
        expires: options.fetchTimeoutMs ?? 5_000,
      });
      let delivered = 0;
      for await (const message of messages) {
        delivered++;
        pending = message.info.pending;
        const decoded = decodeEvent(message.data);
        if (decoded.ok) history.push({ seq: message.seq, event: decoded.value });
        else options.onInvalid?.(message.seq, decoded.problems);
        if (pending === 0) break;
      }
      if (delivered === 0) {
        throw new Error(
          `reading the history of ${transferId}: no message came within the fetch timeout though ${pending} were pending`,
        );
      }
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return history;
}
