import type { NatsConnection } from '@nats-io/nats-core';

/** Whether a NATS connection is up now, for `/readyz`. */
export interface ConnectionState {
  /** False from a `disconnect` until the next `reconnect`, and once the connection is closed. */
  connected(): boolean;
  /** Stops listening to the connection's status (connected() then keeps its last answer). */
  stop(): void;
}

/**
 * Follows a connection's status events: a service's readiness is false while the client is
 * reconnecting (connectNats reconnects forever, so the connection itself never says so).
 */
export function trackConnection(nc: NatsConnection): ConnectionState {
  let connected = true;
  const statuses = nc.status();
  void (async () => {
    for await (const status of statuses) {
      if (status.type === 'disconnect') connected = false;
      else if (status.type === 'reconnect') connected = true;
    }
  })().catch(() => undefined);
  return {
    connected: () => connected && !nc.isClosed(),
    // The library's iterator has stop() (it also takes it off the connection's listeners).
    stop: () => (statuses as { stop?: () => void }).stop?.(),
  };
}
