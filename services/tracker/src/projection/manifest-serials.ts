import { type ManifestStore, type SerialDigester, StoreError } from '@interco/bus';
import type { TransferState } from '@interco/contracts';

/**
 * The keyed digests of the serials a transfer moves, from its manifest (Object Store, opened with
 * the deployment's key): what the `serials` collection is filled with. Serials never leave here
 * in clear.
 */
export class ManifestSerials {
  constructor(
    private readonly manifests: ManifestStore,
    /** The deployment's serial digester (loadSerialDigester: the stored key, as intake's). */
    private readonly digester: Pick<SerialDigester, 'digest'>,
  ) {}

  /**
   * The digests of every serial of the transfer's manifest; undefined when the manifest cannot
   * be used (missing, tampered with, invalid: a StoreError, `problem` says which). Other errors
   * (NATS) are thrown.
   */
  async digestsOf(
    state: TransferState,
  ): Promise<{ digests: string[] } | { digests: undefined; problem: string }> {
    const manifest = state.requested?.manifest;
    if (manifest === undefined) return { digests: undefined, problem: 'the state has no request' };
    try {
      const request = await this.manifests.get(manifest.ref, manifest.digest, state.transfer_id);
      const digests = new Set<string>();
      for (const item of request.items) {
        for (const serial of item.serials) digests.add(this.digester.digest(serial));
      }
      return { digests: [...digests] };
    } catch (error) {
      if (error instanceof StoreError) return { digests: undefined, problem: error.message };
      throw error;
    }
  }
}
