import type { ManifestStore, SerialDigester } from '@interco/bus';
import type { LiveFeed, LiveFeedOptions, LiveResumeTooOld } from '../live/live-feed.js';
import type { CountsCache } from '../queries/counts-cache.js';
import type { TransferReader } from '../queries/transfer-reader.js';

/** What the tracker's routes read from. */
export interface TrackerRouteDeps {
  readonly reader: TransferReader;
  /** The counts of `/v1/transfers/counts` (the cache over `reader.counts`). */
  readonly counts: Pick<CountsCache, 'counts'>;
  /** Keys the `serial` filter (the same digest the serials collection is keyed by). */
  readonly digester: Pick<SerialDigester, 'digest'>;
  /** The sealed manifests (the serials of a transfer). */
  readonly manifests: Pick<ManifestStore, 'get'>;
  /** Opens a live feed of events (`/v1/live`), or says a resume goes back too far. */
  readonly openLiveFeed: (
    options: Pick<LiveFeedOptions, 'transferId' | 'afterSeq'>,
  ) => Promise<LiveFeed | LiveResumeTooOld>;
  /** Milliseconds between the heartbeat comments of `/v1/live` (15,000 by default). */
  readonly heartbeatMs?: number;
  /** Most `/v1/live` streams open at once in this process (100 by default); 503 beyond. */
  readonly maxLiveStreams?: number;
  /**
   * Milliseconds a `/v1/live` client may stay blocked (not reading what it is sent) before its
   * stream is closed (30,000 by default).
   */
  readonly liveDrainTimeoutMs?: number;
  /** Milliseconds between two verifications of an open `/v1/live` stream's token (60,000 by default). */
  readonly liveTokenRecheckMs?: number;
}
