import { createLogger } from '@interco/service';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LEASE_MARGIN_MS } from './handler.js';
import { heartbeatInterval, type Renewable, startHeartbeat } from './heartbeat.js';

const logger = createLogger('heartbeat-test', { level: 'silent' });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function lease(answers: Array<boolean | Error>): Renewable & { calls: number } {
  const out = {
    key: 'tr_x.po_a',
    calls: 0,
    async renew() {
      const answer = answers[Math.min(out.calls, answers.length - 1)];
      out.calls++;
      if (answer instanceof Error) throw answer;
      return answer ?? true;
    },
  };
  return out;
}

describe('heartbeat', () => {
  it('beats every ack_wait / 3, but at least twice within the lease’s margin', () => {
    expect(heartbeatInterval(30_000, LEASE_MARGIN_MS)).toBe(5_000);
    expect(heartbeatInterval(6_000, LEASE_MARGIN_MS)).toBe(2_000);
    expect(heartbeatInterval(300_000, LEASE_MARGIN_MS)).toBe(LEASE_MARGIN_MS / 2);
  });

  it('calls working() and renews the lease on every beat', async () => {
    let working = 0;
    const held = lease([true]);
    const heartbeat = startHeartbeat({ intervalMs: 1_000, working: () => working++, logger });
    heartbeat.attach(held);
    await vi.advanceTimersByTimeAsync(3_000);
    heartbeat.stop();
    expect(working).toBe(3);
    expect(held.calls).toBe(3);
    expect(heartbeat.lost).toBe(false);
  });

  it('counts a renewal that fails (an error, not false) as not renewed: the lease is lost', async () => {
    const held = lease([new Error('timeout')]);
    const heartbeat = startHeartbeat({ intervalMs: 1_000, working: () => {}, logger });
    heartbeat.attach(held);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(heartbeat.lost).toBe(true);
    heartbeat.stop();
  });

  it('loses the lease when a renewal answers false, and renews no more', async () => {
    const held = lease([true, false, true]);
    const heartbeat = startHeartbeat({ intervalMs: 1_000, working: () => {}, logger });
    heartbeat.attach(held);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(heartbeat.lost).toBe(true);
    expect(held.calls).toBe(2);
    expect(await heartbeat.renewNow()).toBe(false);
    heartbeat.stop();
  });

  it('renewNow() waits for a renewal under way, never overlapping it (one revision to compare)', async () => {
    let inFlight = 0;
    let overlapped = false;
    const slow: Renewable = {
      key: 'tr_x.po_a',
      async renew() {
        inFlight++;
        if (inFlight > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 800));
        inFlight--;
        return true;
      },
    };
    const heartbeat = startHeartbeat({ intervalMs: 1_000, working: () => {}, logger });
    heartbeat.attach(slow);
    await vi.advanceTimersByTimeAsync(1_100); // a beat's renewal is under way
    const now = heartbeat.renewNow();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await now).toBe(true);
    expect(overlapped).toBe(false);
    heartbeat.stop();
  });

  it('renewNow() answers false without a lease, or when the renewal fails', async () => {
    const heartbeat = startHeartbeat({ intervalMs: 1_000, working: () => {}, logger });
    expect(await heartbeat.renewNow()).toBe(false);
    heartbeat.attach(lease([new Error('no responders')]));
    expect(await heartbeat.renewNow()).toBe(false);
    expect(heartbeat.lost).toBe(true);
    heartbeat.stop();
  });
});
