import { describe, expect, it } from 'vitest';
import { Faults } from './faults.js';

/** A random source that answers the given rolls in turn. */
function rolls(...values: number[]): () => number {
  let i = 0;
  return () => {
    const value = values[i % values.length];
    i++;
    return value ?? 0;
  };
}

const write = { httpMethod: 'POST', doctype: 'Purchase Order' };

describe('slow_commit_rate', () => {
  it('slows a write only when its roll falls under the rate', () => {
    const faults = new Faults(rolls(0.01, 0.5));
    faults.set({ rules: [{ match: { writes_only: true }, slow_commit_ms: 900, slow_commit_rate: 0.02 }] });
    expect(faults.plan(write).slowCommitMs).toBe(900);
    expect(faults.plan(write).slowCommitMs).toBe(0);
  });

  it('slows every matching write when absent, and none at 0; reads never', () => {
    const always = new Faults(rolls(0.99));
    always.set({ rules: [{ slow_commit_ms: 300 }] });
    expect(always.plan(write).slowCommitMs).toBe(300);
    expect(always.plan({ httpMethod: 'GET', doctype: 'Purchase Order' }).slowCommitMs).toBe(0);

    const never = new Faults(rolls(0));
    never.set({ rules: [{ slow_commit_ms: 300, slow_commit_rate: 0 }] });
    expect(never.plan(write).slowCommitMs).toBe(0);
  });

  it('a write its roll spares does not use up the rule', () => {
    const faults = new Faults(rolls(0.9, 0.1));
    faults.set({ rules: [{ slow_commit_ms: 200, slow_commit_rate: 0.5, times: 1 }] });
    expect(faults.plan(write).slowCommitMs).toBe(0);
    expect(faults.get().rules?.[0]?.times).toBe(1);
    expect(faults.plan(write).slowCommitMs).toBe(200);
    expect(faults.get().rules).toEqual([]);
  });
});
