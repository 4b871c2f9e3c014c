/**
 * The console's hand-written answer types (types.ts: the browser code cannot import the services)
 * must stay what the services answer: checked at compile time against the tracker's exact types
 * (type-only imports), and the lists of steps and statuses at run time against the contracts'.
 */
import { STEPS as CONTRACT_STEPS, TransferStatus as ContractTransferStatus } from '@interco/contracts';
import type {
  TransferCounts as TrackerCounts,
  TransferEventsPage as TrackerEventsPage,
  TransferList as TrackerList,
  LiveEventData as TrackerLiveEvent,
  TransferSerialsPage as TrackerSerialsPage,
  StepView as TrackerStepView,
  TransferView as TrackerView,
} from '@interco/tracker';
import { describe, expect, it } from 'vitest';
import {
  type LiveEventData,
  STEPS,
  type StepView,
  TRANSFER_STATUSES,
  type TransferCounts,
  type TransferEventsPage,
  type TransferList,
  type TransferSerialsPage,
  type TransferView,
} from './types.js';

// Each line fails to compile if a tracker answer no longer fits what the console reads.
export const compatible = {
  view: (value: TrackerView): TransferView => value,
  step: (value: TrackerStepView): StepView => value,
  list: (value: TrackerList): TransferList => value,
  counts: (value: TrackerCounts): TransferCounts => value,
  events: (value: TrackerEventsPage): TransferEventsPage => value,
  serials: (value: TrackerSerialsPage): TransferSerialsPage => value,
  live: (value: TrackerLiveEvent): LiveEventData => value,
};

describe('the console’s answer types', () => {
  it('name the contracts’ steps and transfer statuses, in their order', () => {
    expect([...STEPS]).toEqual([...CONTRACT_STEPS]);
    expect([...TRANSFER_STATUSES]).toEqual(ContractTransferStatus.anyOf.map((literal) => literal.const));
  });
});
