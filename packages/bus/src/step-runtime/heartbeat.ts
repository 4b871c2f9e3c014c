/**
 * While a message is being worked on: every `intervalMs` (ack_wait / 3), tell JetStream the
 * message is in progress (`working()`, so it is not redelivered) and renew the lease (so no other
 * replica, and no compensation, takes the step over). A renewal that answers false means the lease
 * is lost: `lost` turns true and the work stops before its next write.
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
  stop(): void;
}

export function startHeartbeat(options: {
  intervalMs: number;
  working: () => void;
  logger: Logger;
}): Heartbeat {
  let lease: Renewable | undefined;
  let lost = false;
  let renewing = false;
  const beat = () => {
    try {
      options.working();
    } catch (error) {
      options.logger.warn({ err: error }, 'heartbeat: working() failed');
    }
    const current = lease;
    if (current === undefined || renewing || lost) return;
    renewing = true;
    current.renew().then(
      (ok) => {
        renewing = false;
        if (!ok) {
          lost = true;
          options.logger.warn({ lease: current.key }, 'heartbeat: the lease could not be renewed');
        }
      },
      (error: unknown) => {
        renewing = false;
        // A NATS blip: the lease has time left (TTL = write timeout + 10 s); try again next beat.
        options.logger.warn(
          { lease: current.key, err: error instanceof Error ? error.message : String(error) },
          'heartbeat: renewing the lease failed',
        );
      },
    );
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
    stop() {
      clearInterval(timer);
    },
  };
}
