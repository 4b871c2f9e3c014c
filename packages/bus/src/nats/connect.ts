import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/**
 * Connects to NATS for a long-running service: `name` shows in the server's connection list;
 * once connected, the client reconnects forever (every 2 s, with jitter), buffering what is
 * published meanwhile. Requests capture no stack trace when made (see below). A first connection that fails throws: the service exits and its
 * supervisor starts it again.
 */
export function connectNats(options: { url: string; name: string }): Promise<NatsConnection> {
  return connect({
    servers: options.url,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 2_000,
    reconnectJitter: 500,
    // Capturing a stack trace for every request costs nearly half the CPU of bulk KV work
    // (100,000 serial reservations); a timeout then carries the library's stack, not the caller's.
    noAsyncTraces: true,
  });
}
