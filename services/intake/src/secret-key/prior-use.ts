import type { ManifestStore } from '@interco/bus';
import type { InstanceRegistry } from '@interco/erpnext';

/**
 * Evidence that this version of Interco already ran on the deployment, said in a few words, or
 * undefined when there is none: instance credentials or a manifest sealed in the format of key
 * rings (v2), which only a service that also stored the serial digest key writes. Intake asks it
 * before creating a missing serial digest key (DataKeyStore.createSerialDigestKey): with such
 * evidence the entry was lost, and made again from the current key (after a rotation) it could
 * differ from the key that keyed the serial reservations and the tracker's index, so a reserved
 * serial could be reserved again. A legacy deployment (everything v1) or a new one has none.
 */
export async function evidenceOfStoredKey(parts: {
  readonly registry: Pick<InstanceRegistry, 'sealedInV2'>;
  readonly manifests: Pick<ManifestStore, 'someSealedInV2'>;
}): Promise<string | undefined> {
  const instances = await parts.registry.sealedInV2();
  if (instances > 0) return `${instances} instance record(s) sealed in the v2 format`;
  if (await parts.manifests.someSealedInV2()) return 'transfer manifests sealed in the v2 format';
  return undefined;
}
