import type { SequencedEvent } from '../read-model/journal.js';

/** Events held in memory, grouped by transfer, until they are written. */
export class EventWindow {
  #groups = new Map<string, SequencedEvent[]>();
  size = 0;

  add(events: readonly SequencedEvent[]): void {
    for (const entry of events) {
      const group = this.#groups.get(entry.event.transferid);
      if (group === undefined) this.#groups.set(entry.event.transferid, [entry]);
      else group.push(entry);
    }
    this.size += events.length;
  }

  take(): Map<string, SequencedEvent[]> {
    const groups = this.#groups;
    this.#groups = new Map();
    this.size = 0;
    return groups;
  }
}
