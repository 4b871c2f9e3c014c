/**
 * The CLI's own schemas of the answers must accept what the services answer: checked here at
 * compile time against the services' exact types (type-only imports: nothing of the services is
 * loaded into the CLI) and at run time against values the tracker's own view function makes
 * (render-frame.unit.test.ts folds real histories through it).
 */
import type { TokenSummary as AuthTokenSummary } from '@interco/auth';
import type { InstanceSummary as RegistryInstanceSummary } from '@interco/erpnext';
import type {
  LiveEventData,
  TransferCounts as TrackerCounts,
  TransferEventsPage as TrackerEventsPage,
  TransferList as TrackerList,
  TransferSerialsPage as TrackerSerialsPage,
  TransferView as TrackerView,
} from '@interco/tracker';
import { describe, expect, it } from 'vitest';
import { fits } from './check-answer.js';
import {
  type InstanceSummary,
  LiveEvent,
  type TokenSummary,
  type TransferCounts,
  type TransferEventsPage,
  type TransferList,
  type TransferSerialsPage,
  TransferView,
} from './schemas.js';

// Each line fails to compile if a service's answer no longer fits what the CLI reads.
export const compatible = {
  view: (value: TrackerView): TransferView => value,
  list: (value: TrackerList): TransferList => value,
  counts: (value: TrackerCounts): TransferCounts => value,
  events: (value: TrackerEventsPage): TransferEventsPage => value,
  serials: (value: TrackerSerialsPage): TrackerSerialsPage & TransferSerialsPage => value,
  live: (value: LiveEventData): LiveEvent => value,
  instance: (value: RegistryInstanceSummary): InstanceSummary => value,
  token: (value: AuthTokenSummary): TokenSummary => value,
};

describe('the answers’ schemas', () => {
  it('accept more than they read (a newer service’s fields) and refuse what lacks a field they read', () => {
    const live = {
      transfer_id: 'tr_1',
      type: 'po_a.done',
      time: 't',
      generation: 1,
      seq: 4,
      event_id: 'e',
      added: true,
    };
    expect(fits(LiveEvent, live)).toBe(true);
    expect(fits(LiveEvent, { ...live, seq: undefined })).toBe(false);
    expect(fits(TransferView, { transfer_id: 'tr_1' })).toBe(false);
  });
});
