import { describe, expect, it } from 'vitest';
import { consumerName, inputFilterSubjects, inputRole, inputTypes, stepInputs } from './inputs.js';

describe('step inputs', () => {
  it('po_a starts from transfer.requested and compensates after pr_a.cancelled', () => {
    expect(stepInputs('po_a')).toEqual({
      forward: 'transfer.requested',
      retry: 'transfer.retry_requested',
      compensation: 'pr_a.cancelled',
    });
  });

  it('the middle steps follow the chain both ways', () => {
    expect(stepInputs('pr_a')).toMatchObject({ forward: 'po_a.done', compensation: 'dn_a.cancelled' });
    expect(stepInputs('dn_a')).toMatchObject({ forward: 'pr_a.done', compensation: 'pr_b.cancelled' });
  });

  it('pr_b follows dn_a.done and starts the compensation on transfer.cancel_requested', () => {
    expect(stepInputs('pr_b')).toEqual({
      forward: 'dn_a.done',
      retry: 'transfer.retry_requested',
      compensation: 'transfer.cancel_requested',
    });
  });

  it('gives each input its role and nothing else one', () => {
    expect(inputRole('pr_a', 'po_a.done')).toBe('forward');
    expect(inputRole('pr_a', 'transfer.retry_requested')).toBe('retry');
    expect(inputRole('pr_a', 'dn_a.cancelled')).toBe('compensation');
    expect(inputRole('pr_a', 'pr_a.done')).toBeUndefined();
    expect(inputRole('pr_a', 'transfer.requested')).toBeUndefined();
    expect(inputRole('pr_a', 'transfer.cancel_requested')).toBeUndefined();
    expect(inputRole('po_a', 'transfer.cancelled')).toBeUndefined();
  });

  it('filters the consumer on the three input types of any transfer', () => {
    expect(inputTypes('dn_a')).toEqual(['pr_a.done', 'transfer.retry_requested', 'pr_b.cancelled']);
    expect(inputFilterSubjects('pr_b', 't_abc')).toEqual([
      't_abc.t.*.dn_a.done',
      't_abc.t.*.transfer.retry_requested',
      't_abc.t.*.transfer.cancel_requested',
    ]);
  });

  it('names the durable consumer step_<step>', () => {
    expect(consumerName('po_a')).toBe('step_po_a');
    expect(consumerName('pr_b')).toBe('step_pr_b');
  });
});
