/**
 * While a message is being worked on: every `intervalMs` (ack_wait / 3, at most LEASE_MARGIN_MS /
 * 2), tell JetStream the message is in progress (`working()`, so it is not redelivered) and renew
 * the lease (so no other replica, and no compensation, takes the step over).
 *
 * A renewal that answers false (another holder has it, or it was released) or that fails (NATS
 * did not answer: whether it was written is unknown, and the lease may run out unrenewed) counts
 * as not renewed: `lost` turns true and the work stops before its next write, to come back later.
 * Before each write, `renewNow()` renews the lease and waits for the answer, so that a write only
 * starts with a whole time to live ahead of it (the write timeout + LEASE_MARGIN_MS): the write is
 * over, committed or not, before anyone else can take the lease.
 */
import type { Logger } from '@interco/service';

export interface Renewable {
  readonly key: string;
  renew(): Promise<boolean>;
}

export interface Heartbeat {
  /** The lease could not be renewed: another holder may have it now. */
  readonly lost: boolean;
  /** Adds the lease once it is taken. */
  attach(lease: Renewable): void;
  /**
   * Renews the lease now (after any renewal under way) and answers whether it is still held: false
   * when it was lost before, when the renewal answers false, or when it fails. No lease attached:
   * false.
   */
  renewNow(): Promise<boolean>;
  stop(): void;
}

/** The heartbeat's interval for a consumer's ack_wait and the lease's margin over the write timeout. */
export function heartbeatInterval(ackWaitMs: number, leaseMarginMs: number): number {
  return Math.max(100, Math.min(ackWaitMs / 3, leaseMarginMs / 2));
}

export function startHeartbeat(options: {
  intervalMs: number;
  working: () => void;
  logger: Logger;
}): Heartbeat {
  let lease: Renewable | undefined;
  let lost = false;
  /** The renewal under way, if any: renewals never overlap (they compare-and-set one revision). */
  let renewing: Promise<boolean> | undefined;

  const renewOnce = (current: Renewable): Promise<boolean> => {
    const attempt = (async () => {
      try {
        if (await current.renew()) return true;
        lost = true;
        options.logger.warn(
          { lease: current.key },
          'heartbeat: the lease could not be renewed (taken or gone)',
        );
        return false;
      } catch (error) {
        lost = true;
        options.logger.warn(
          { lease: current.key, err: error instanceof Error ? error.message : String(error) },
          'heartbeat: renewing the lease failed: counted as not renewed',
        );
        return false;
      }
    })();
    renewing = attempt;
    void attempt.finally(() => {
      if (renewing === attempt) renewing = undefined;
    });
    return attempt;
  };

  const beat = () => {
    try {
      options.working();
    } catch (error) {
      options.logger.warn({ err: error }, 'heartbeat: working() failed');
    }
    const current = lease;
    if (current === undefined || renewing !== undefined || lost) return;
    void renewOnce(current);
  };
  const timer = setInterval(beat, Math.max(100, options.intervalMs));
  timer.unref?.();
  return {
    get lost() {
      return lost;
    },
    attach(next: Renewable) {
      lease = next;
    },
    async renewNow() {
      while (renewing !== undefined) await renewing.catch(() => false);
      const current = lease;
      if (current === undefined || lost) return false;
      return renewOnce(current);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
