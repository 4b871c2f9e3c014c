import type { TokenStore } from '@interco/auth';
import type { ManifestStore, SerialReservations, TransferStore } from '@interco/bus';
import type { ErpnextClient, InstanceConfig, InstanceRegistry } from '@interco/erpnext';
import type { ServiceMetrics } from '@interco/metrics';
import type { Logger } from '@interco/service';
import type { SecretKeyAdmin } from './secret-key/secret-key-rotation.js';
import type { RetryCancelDeps } from './transfers/retry-cancel.js';
import type { SubmitDeps } from './transfers/submit-transfer.js';

/** The caps of one transfer request (INTERCO_MAX_SERIALS, INTERCO_MAX_ITEMS). */
export interface RequestCaps {
  readonly maxSerials: number;
  readonly maxItems: number;
}

/** What intake's HTTP app is built from: the stores, the stream, the settings. */
export interface IntakeDeps extends SubmitDeps, RetryCancelDeps {
  readonly logger: Logger;
  readonly transfers: Pick<TransferStore, 'get' | 'create' | 'delete' | 'update'>;
  readonly manifests: Pick<ManifestStore, 'put' | 'get' | 'delete'>;
  readonly reservations: Pick<SerialReservations, 'reserve' | 'release'>;
  readonly tokens: Pick<TokenStore, 'verify' | 'mint' | 'list' | 'revoke'>;
  readonly registry: Pick<
    InstanceRegistry,
    'add' | 'update' | 'remove' | 'list' | 'describe' | 'config' | 'test'
  >;
  readonly caps: RequestCaps;
  /** `status_url` of a transfer (statusUrlFor). */
  readonly statusUrl: (transferId: string) => string;
  /** The readiness checks of /readyz (NATS connected, stores open, not draining...). */
  readonly readiness: () => Record<string, boolean>;
  /** A client for an instance (admin test, prepare, preflight); closed after use. */
  readonly erpnextClient: (config: InstanceConfig) => ErpnextClient;
  /** Served at GET /metrics; transfer requests are counted by outcome. None: no /metrics. */
  readonly metrics?: ServiceMetrics;
  /** INTAKE_CORS_ORIGINS: the browser origins answered with CORS headers (none: no CORS). */
  readonly corsOrigins?: readonly string[];
  /** Rotating INTERCO_SECRET_KEY: the status of the key ring, the re-seal (admin). */
  readonly secretKey: SecretKeyAdmin;
}
