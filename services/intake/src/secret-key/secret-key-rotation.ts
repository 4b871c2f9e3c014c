import { type DataKeyStore, type ManifestStore, StoreError, type TransferStore } from '@interco/bus';
import {
  countKeyUsage,
  emptyKeyUsage,
  type InstanceRegistry,
  type KeyUsage,
  SECRET_KEY_PREVIOUS_ENV,
  type SecretBox,
} from '@interco/erpnext';

/** Counts of one re-seal: records sealed again with the current key, records already so. */
export interface ResealCounts {
  resealed: number;
  unchanged: number;
}

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
  /** False once nothing that must still work needs a previous key: it can be dropped. */
  previous_key_needed: boolean;
  /** What the counts mean for the operator, one sentence each (empty when all is current). */
  findings: string[];
}

/** The rotation's admin operations, as intake's routes use them. */
export interface SecretKeyAdmin {
  status(): Promise<SecretKeyStatus>;
  reseal(): Promise<ResealResult>;
}

export interface SecretKeyRotationParts {
  readonly box: SecretBox;
  readonly registry: Pick<InstanceRegistry, 'reseal' | 'keyUsage'>;
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

  /** Data keys first, then the instances; idempotent (a second run re-seals nothing). */
  async reseal(): Promise<ResealResult> {
    const dataKeys = await this.parts.dataKeys.reseal();
    const instances = await this.parts.registry.reseal();
    return { instances, data_keys: dataKeys };
  }

  async status(): Promise<SecretKeyStatus> {
    const { box } = this.parts;
    const instances = await this.parts.registry.keyUsage();
    const dataKeys = await this.parts.dataKeys.keyUsage();
    const transfers = await this.#transferUsage();
    const previousKeyNeeded = instances.previous + dataKeys.previous + transfers.active.previous > 0;
    return {
      current_key: box.fingerprint,
      previous_keys: [...box.previousFingerprints],
      instances,
      data_keys: dataKeys,
      transfers,
      previous_key_needed: previousKeyNeeded,
      findings: findings(instances, dataKeys, transfers),
    };
  }

  async #transferUsage(): Promise<{ active: KeyUsage; final: KeyUsage }> {
    const active = emptyKeyUsage();
    const final = emptyKeyUsage();
    for await (const id of await this.parts.transferIds()) {
      const record = (await this.parts.transfers.get(id))?.record;
      if (record === undefined) continue;
      let key: Awaited<ReturnType<ManifestStore['sealingKey']>>;
      try {
        key = await this.parts.manifests.sealingKey(record.manifest.ref, id);
      } catch (error) {
        // A manifest that is gone needs no key.
        if (error instanceof StoreError) continue;
        throw error;
      }
      const isFinal = record.status === 'completed' || record.status === 'cancelled';
      countKeyUsage(isFinal ? final : active, key);
    }
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
  const unknown = instances.unknown + dataKeys.unknown + transfers.active.unknown + transfers.final.unknown;
  if (unknown > 0) {
    out.push(
      `${unknown} sealed value(s) open with no key of the ring (${instances.unknown} instance(s), ${dataKeys.unknown} data key(s), ${transfers.active.unknown} active and ${transfers.final.unknown} final transfer(s)): the key that sealed them is not configured, or they were altered`,
    );
  }
  return out;
}
