import { describe, expect, it } from 'vitest';
import { nextStep, previousStep, STEP_INFO, STEPS } from './steps.js';

describe('steps', () => {
  it('are the four documents in order, each in its company and service', () => {
    expect(STEPS).toEqual(['po_a', 'pr_a', 'dn_a', 'pr_b']);
    expect(
      STEPS.map((step) => [STEP_INFO[step].company, STEP_INFO[step].doctype, STEP_INFO[step].service]),
    ).toEqual([
      ['a', 'Purchase Order', 'po-a'],
      ['a', 'Purchase Receipt', 'pr-a'],
      ['a', 'Delivery Note', 'dn-a'],
      ['b', 'Purchase Receipt', 'pr-b'],
    ]);
  });

  it('run forward for the transfer and backward for compensation', () => {
    expect(STEPS.map(nextStep)).toEqual(['pr_a', 'dn_a', 'pr_b', undefined]);
    expect(STEPS.map(previousStep)).toEqual([undefined, 'po_a', 'pr_a', 'dn_a']);
  });
});
