/**
 * Transfer requests between the demo sites, in the plan's format (what a client posts).
 * Serials are PIN-like numbers unique to each call (a run never reuses one), so transfers in one
 * test file never overlap unless a test wants them to.
 */
import { randomInt } from 'node:crypto';
import { type DemoItem, type DemoTransferBody, demoTransferBody } from '@interco/bus/test-support';

let counter = 0;
const runPrefix = String(randomInt(10_000, 99_999));

/** A fresh 16-digit serial. */
export function freshSerial(): string {
  counter += 1;
  return `9${runPrefix}${String(counter).padStart(10, '0')}`;
}

export interface DemoTransferOptions {
  /** Serials per item, per item code (default: 10 of each demo item). */
  perItem?: Partial<Record<DemoItem, number>>;
  reference?: string;
  more?: Record<string, unknown>;
}

/** A transfer of the demo items from company-a to company-b, with fresh serials. */
export function demoTransfer(options: DemoTransferOptions = {}): DemoTransferBody {
  return demoTransferBody({
    perItem: options.perItem ?? { 'PIN-001': 10, 'PIN-002': 10, 'SIM-001': 10 },
    serial: freshSerial,
    more: {
      ...(options.reference === undefined ? {} : { reference: options.reference }),
      ...options.more,
    },
  });
}
