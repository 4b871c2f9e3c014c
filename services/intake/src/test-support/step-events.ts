/** Step events made by hand, to bring a transfer where a test needs it (failed, completed...). */
import { type IntercoEvent, newEvent, type Step } from '@interco/contracts';

const DOCTYPE = {
  po_a: 'Purchase Order',
  pr_a: 'Purchase Receipt',
  dn_a: 'Delivery Note',
  pr_b: 'Purchase Receipt',
} as const;

function context(step: Step, transferid: string, generation: number) {
  return { transferid, generation, actor: 'tester', source: `interco/${step.replace('_', '-')}` };
}

const instance = (step: Step) => (step === 'pr_b' ? 'erp-b' : 'erp-a');

export function done(step: Step, transferId: string, generation = 1): IntercoEvent {
  return newEvent(`${step}.done`, context(step, transferId, generation), {
    instance: instance(step),
    documents: [{ doctype: DOCTYPE[step], name: `${step.toUpperCase()}-0001`, chunk: 0, serial_count: 4 }],
    attempt: 1,
    duration_ms: 10,
  });
}

export function failed(step: Step, transferId: string, generation = 1): IntercoEvent {
  return newEvent(`${step}.failed`, context(step, transferId, generation), {
    instance: instance(step),
    error: { kind: 'permanent', http_status: 417, messages: ['Item PIN-001 is disabled'] },
    attempt: 1,
    retryable: true,
  });
}

export function cancelled(step: Step, transferId: string, generation: number): IntercoEvent {
  return newEvent(`${step}.cancelled`, context(step, transferId, generation), {
    instance: instance(step),
    documents: [],
  });
}

export function cancelFailed(step: Step, transferId: string, generation: number): IntercoEvent {
  return newEvent(`${step}.cancel_failed`, context(step, transferId, generation), {
    instance: instance(step),
    error: { kind: 'permanent', messages: ['Cannot cancel: a stock period is frozen'] },
    attempt: 1,
  });
}

export function transferCancelled(transferId: string, generation: number): IntercoEvent {
  return newEvent('transfer.cancelled', context('po_a', transferId, generation), {
    steps_cancelled: [],
  });
}

/** The forward events of a whole transfer, po_a to pr_b. */
export function completion(transferId: string, generation = 1): IntercoEvent[] {
  return (['po_a', 'pr_a', 'dn_a', 'pr_b'] as const).map((step) => done(step, transferId, generation));
}

/** The compensation of a transfer with no documents, pr_b to po_a, then transfer.cancelled. */
export function compensation(transferId: string, generation: number): IntercoEvent[] {
  return [
    ...(['pr_b', 'dn_a', 'pr_a', 'po_a'] as const).map((step) => cancelled(step, transferId, generation)),
    transferCancelled(transferId, generation),
  ];
}
