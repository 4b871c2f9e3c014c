import { type DataKeyStore, type ManifestStore, StoreError, type TransferStore } from '@interco/bus';
import {
  countKeyUsage,
  emptyKeyUsage,
  type InstanceRegistry,
  type KeyUsage,
  type ResealCounts,
  SECRET_KEY_PREVIOUS_ENV,
  type SecretBox,
} from '@interco/erpnext';

/** What POST /v1/admin/secret-key/reseal did. */
export interface ResealResult {
  instances: ResealCounts;
  data_keys: ResealCounts;
}

/**
 * Whether the previous keys are still needed, and why (GET /v1/admin/secret-key): counts and key
 * fingerprints only, never a key, a credential or a serial.
 */
export interface SecretKeyStatus {
  /** The fingerprint of INTERCO_SECRET_KEY (16 hex characters; reveals nothing of the key). */
  current_key: string;
  /** The fingerprints of INTERCO_SECRET_KEY_PREVIOUS's keys. */
  previous_keys: string[];
  /** The ERPNext instances, by the key their credentials need. */
  instances: KeyUsage;
  /** The data keys (the serial digest key), by the key they need. */
  data_keys: KeyUsage;
  /**
   * The transfers' manifests, by the key they need: `active` (active, cancelling, reclaiming: a
   * step, a retry or a cancel still reads it), `final` (completed or cancelled).
   */
  transfers: { active: KeyUsage; final: KeyUsage };
  /**
   * False once nothing that must still work needs a previous key and no instance, data key or
   * manifest of a transfer not final is unreadable: it can be dropped.
   */
  previous_key_needed: boolean;
  /**
   * Final transfers whose manifest only a previous key opens (`transfers.final.previous`): once
   * that key is dropped, the completed ones cannot be cancelled and the tracker cannot index
   * their serials again (a rebuild). Not counted in previous_key_needed.
   */
  final_transfers_needing_previous_key: number;
  /** What the counts mean for the operator, one sentence each (empty when all is current). */
  findings: string[];
}

/** How many manifests the check reads at once. */
const MANIFEST_READS = 8;

/** The rotation's admin operations, as intake's routes use them. */
export interface SecretKeyAdmin {
  status(): Promise<SecretKeyStatus>;
  reseal(): Promise<ResealResult>;
}

export interface SecretKeyRotationParts {
  readonly box: SecretBox;
  readonly registry: Pick<InstanceRegistry, 'reseal' | 'keyUsage'>;
  /** Told of each record a re-seal could not read: its kind and id, and why (never its content). */
  readonly onUnreadable?: (record: { kind: 'instance' | 'data_key'; id: string; reason: string }) => void;
  readonly dataKeys: Pick<DataKeyStore, 'reseal' | 'keyUsage'>;
  readonly transfers: Pick<TransferStore, 'get'>;
  /** Every transfer id with a record (TransferStore's KV keys). */
  readonly transferIds: () => Promise<AsyncIterable<string>>;
  readonly manifests: Pick<ManifestStore, 'sealingKey'>;
}

/**
 * Rotating INTERCO_SECRET_KEY (docs/secret-key-rotation.md): re-seals what can be re-sealed in
 * place (the instances' credentials, the data keys) with the current key, and tells whether the
 * previous keys are still needed (by those, and by the manifests of transfers still active).
 */
export class SecretKeyRotation implements SecretKeyAdmin {
  constructor(private readonly parts: SecretKeyRotationParts) {}

  #status: Promise<SecretKeyStatus> | undefined;

  /**
   * Data keys first, then the instances; idempotent (a second run re-seals nothing). A record
   * that cannot be read is counted `unreadable` (and told to `onUnreadable`); the others are
   * still re-sealed.
   */
  async reseal(): Promise<ResealResult> {
    const { onUnreadable } = this.parts;
    const dataKeys = await this.parts.dataKeys.reseal({
      onUnreadable: (id, reason) => onUnreadable?.({ kind: 'data_key', id, reason }),
    });
    const instances = await this.parts.registry.reseal({
      onUnreadable: (id, reason) => onUnreadable?.({ kind: 'instance', id, reason }),
    });
    return { instances, data_keys: dataKeys };
  }

  /** The check; calls made while one runs share its answer (one scan of the transfers at a time). */
  status(): Promise<SecretKeyStatus> {
    this.#status ??= this.#check().finally(() => {
      this.#status = undefined;
    });
    return this.#status;
  }

  async #check(): Promise<SecretKeyStatus> {
    const { box } = this.parts;
    const instances = await this.parts.registry.keyUsage();
    const dataKeys = await this.parts.dataKeys.keyUsage();
    const transfers = await this.#transferUsage();
    const needed =
      instances.previous + dataKeys.previous + transfers.active.previous > 0 ||
      instances.unreadable + dataKeys.unreadable + transfers.active.unreadable > 0;
    return {
      current_key: box.fingerprint,
      previous_keys: [...box.previousFingerprints],
      instances,
      data_keys: dataKeys,
      transfers,
      previous_key_needed: needed,
      final_transfers_needing_previous_key: transfers.final.previous,
      findings: findings(instances, dataKeys, transfers),
    };
  }

  async #transferUsage(): Promise<{ active: KeyUsage; final: KeyUsage }> {
    const active = emptyKeyUsage();
    const final = emptyKeyUsage();
    const ids: string[] = [];
    for await (const id of await this.parts.transferIds()) ids.push(id);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        let record: Awaited<ReturnType<SecretKeyRotationParts['transfers']['get']>>;
        try {
          record = await this.parts.transfers.get(id);
        } catch (error) {
          // A record that is not one (not JSON, not a transfer record): counted, never a 500.
          if (error instanceof StoreError && error.kind === 'invalid') {
            countKeyUsage(active, 'unreadable');
            continue;
          }
          throw error;
        }
        if (record === undefined) continue;
        let key: Awaited<ReturnType<ManifestStore['sealingKey']>>;
        try {
          key = await this.parts.manifests.sealingKey(record.record.manifest.ref, id);
        } catch (error) {
          // A manifest that is gone needs no key; a ref that names no manifest of ours cannot be read.
          if (error instanceof StoreError && error.kind === 'missing') continue;
          if (error instanceof StoreError && error.kind === 'invalid') {
            countKeyUsage(active, 'unreadable');
            continue;
          }
          throw error;
        }
        const status = record.record.status;
        const isFinal = status === 'completed' || status === 'cancelled';
        countKeyUsage(isFinal ? final : active, key);
      }
    };
    await Promise.all(Array.from({ length: Math.min(MANIFEST_READS, ids.length) }, worker));
    return { active, final };
  }
}

function findings(
  instances: KeyUsage,
  dataKeys: KeyUsage,
  transfers: { active: KeyUsage; final: KeyUsage },
): string[] {
  const out: string[] = [];
  const reseal = 'POST /v1/admin/secret-key/reseal seals them with the current key';
  if (instances.previous > 0) {
    out.push(`${instances.previous} instance(s) have credentials sealed with a previous key: ${reseal}`);
  }
  if (dataKeys.previous > 0) {
    out.push(
      `${dataKeys.previous} data key(s) (the serial digest key) are sealed with a previous key: ${reseal}`,
    );
  }
  if (transfers.active.previous > 0) {
    out.push(
      `${transfers.active.previous} transfer(s) not final (active, cancelling or reclaiming) have a manifest sealed with a previous key: keep ${SECRET_KEY_PREVIOUS_ENV} until they are completed or cancelled`,
    );
  }
  if (transfers.final.previous > 0) {
    out.push(
      `${transfers.final.previous} final transfer(s) (completed or cancelled) have a manifest only a previous key opens: once that key is dropped, a completed one can no longer be cancelled, and the tracker can no longer show their serials nor index them again in a rebuild (their events and read model stay)`,
    );
  }
  const unreadable =
    instances.unreadable + dataKeys.unreadable + transfers.active.unreadable + transfers.final.unreadable;
  if (unreadable > 0) {
    out.push(
      `${unreadable} record(s) cannot be read (${instances.unreadable} instance(s), ${dataKeys.unreadable} data key(s), ${transfers.active.unreadable} active and ${transfers.final.unreadable} final transfer manifest(s)): not JSON, not a valid record or not a sealed value; intake's log names them (a re-seal leaves them as they are). Repair or remove them: until then the previous key is kept as needed`,
    );
  }
  const unknown = instances.unknown + dataKeys.unknown + transfers.active.unknown + transfers.final.unknown;
  if (unknown > 0) {
    out.push(
      `${unknown} sealed value(s) open with no key of the ring (${instances.unknown} instance(s), ${dataKeys.unknown} data key(s), ${transfers.active.unknown} active and ${transfers.final.unknown} final transfer(s)): the key that sealed them is not configured, or they were altered`,
    );
  }
  return out;
}
