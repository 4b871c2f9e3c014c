export { type BusNames, busNames } from './names.js';
export { connectNats } from './nats/connect.js';
export { type ConnectionState, trackConnection } from './nats/connection-state.js';
export {
  type ConsumerMetrics,
  countRedelivery,
  type ReportConsumerOptions,
  reportConsumer,
} from './nats/consumer-metrics.js';
export {
  type DurableConsumerOptions,
  durableConsumerConfig,
  ensureDurableConsumer,
} from './nats/durable-consumer.js';
export { natsUnavailable } from './nats/nats-unavailable.js';
export * from './step-runtime/index.js';
export {
  DataKeyStore,
  DEFAULT_KEY_WAIT_MS,
  loadSerialDigester,
  SERIAL_DIGEST_KEY_ENTRY,
  type SerialDigestKeyWait,
} from './stores/data-key-store.js';
export {
  type ClaimResult,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  IdempotencyEntry,
  IdempotencyStore,
  idempotencyKvKey,
} from './stores/idempotency-store.js';
export { type Lease, LeaseStore } from './stores/lease-store.js';
export { ManifestStore } from './stores/manifest-store.js';
export { canonicalJson, requestDigest } from './stores/request-digest.js';
export { SERIAL_DIGEST_PURPOSE, SerialDigester } from './stores/serial-digest.js';
export {
  DEFAULT_RESERVATION_CONCURRENCY,
  DEFAULT_STALE_AFTER_MS,
  type HolderState,
  type Holding,
  parseReservationValue,
  type ReserveResult,
  reservationValue,
  SerialReservations,
  type SerialReservationsOptions,
} from './stores/serial-reservations.js';
export { StoreError } from './stores/store-error.js';
export {
  StoredChunkingLimits,
  TransferRecord,
  TransferRecordStatus,
} from './stores/transfer-record.schema.js';
export { checkTransferRecord, TransferStore } from './stores/transfer-store.js';
export {
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_MAX_AGE_MS,
  ensureStream,
  MAX_EVENT_BYTES,
  type StreamOptions,
  streamSettings,
} from './stream/ensure-stream.js';
export { EventPublisher, EventTooLargeError } from './stream/event-publisher.js';
export { type HistoryEntry, type HistoryOptions, readTransferHistory } from './stream/transfer-history.js';
