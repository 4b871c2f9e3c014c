export { loadTrackerConfig, type TrackerConfig, TrackerConfigSchema } from './config.js';
export {
  LiveEventData,
  RequestSummary,
  StepView,
  TransferCounts,
  TransferError,
  TransferEventsPage,
  TransferList,
  TransferSerialsPage,
  TransferView,
} from './http/schemas.js';
export { buildTrackerApp, TRACKER_API_VERSION, type TrackerAppDeps } from './http/tracker-app.js';
export {
  type LiveFeed,
  type LiveFeedOptions,
  type LiveResumeTooOld,
  openLiveFeed,
} from './live/live-feed.js';
export { countTransfers } from './queries/counts.js';
export { decodeTransferCursor, encodeTransferCursor, type TransferCursor } from './queries/cursor.js';
export { DEFAULT_LIMIT, ListTransfersQuery, MAX_LIMIT } from './queries/list-query.schema.js';
export { DEFAULT_STUCK_AFTER_MS, isStuck, RUNNING_STATUSES } from './queries/stuck.js';
export { buildTransferFilter, type FilterContext, TRANSFER_ORDER } from './queries/transfer-filter.js';
export { type ReadModelCollections, TransferReader } from './queries/transfer-reader.js';
export { toTransferView } from './queries/transfer-view.js';
export {
  COLLECTIONS,
  JournalEntry,
  SerialDocument,
  TransferDocument,
} from './read-model/transfer-document.schema.js';
export { type RunningTracker, type StartTrackerOptions, startTracker } from './start-tracker.js';
