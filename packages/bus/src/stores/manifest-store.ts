import { pointerToPath, TransferRequest } from '@interco/contracts';
import { SEALED_HEAD_LENGTH, type SealingKey, type SecretBox } from '@interco/erpnext';
import type { NatsConnection } from '@nats-io/nats-core';
import { type ObjectStore, Objm } from '@nats-io/obj';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { BusNames } from '../names.js';
import { sha256Digest } from './digest.js';
import { StoreError } from './store-error.js';

const requestCheck = TypeCompiler.Compile(TransferRequest);

/**
 * Transfer manifests (the normalized request, serials and all) in the Object Store
 * `<prefix>_manifests`, object name = transfer id. The content is the request as JSON sealed
 * with AES-256-GCM (SecretBox, associated data = the transfer id: a manifest copied under another
 * id does not open). Events and records carry only `{ref, digest}`: `ref` is
 * `<bucket>/<transfer id>`, `digest` the `sha256:<hex>` of the plaintext JSON, checked on read.
 */
export class ManifestStore {
  private constructor(
    /** The object store (for tests and tools). */
    readonly store: ObjectStore,
    private readonly bucket: string,
    private readonly box: SecretBox,
  ) {}

  static async open(nc: NatsConnection, names: BusNames, box: SecretBox): Promise<ManifestStore> {
    const store = await new Objm(nc).create(names.buckets.manifests, { storage: 'file' });
    return new ManifestStore(store, names.buckets.manifests, box);
  }

  /** Seals and stores a manifest (replacing one stored before under the same id). */
  async put(transferId: string, manifest: TransferRequest): Promise<{ ref: string; digest: string }> {
    if (!requestCheck.Check(manifest)) {
      throw new StoreError('invalid', `the manifest of ${transferId} is not a valid transfer request`);
    }
    const json = JSON.stringify(manifest);
    const sealed = this.box.seal(json, transferId);
    await this.store.putBlob({ name: transferId }, new TextEncoder().encode(sealed));
    return { ref: `${this.bucket}/${transferId}`, digest: sha256Digest(json) };
  }

  /**
   * The manifest of `transferId` stored under `ref`. StoreError `missing` (no such object),
   * `tampered` (does not open for this transfer with this key, or does not match `digest`),
   * `invalid` (a ref of another bucket, or content that is not a transfer request).
   */
  async get(ref: string, digest: string, transferId: string): Promise<TransferRequest> {
    const name = this.#objectName(ref);
    let blob: Uint8Array | null;
    try {
      blob = await this.store.getBlob(name);
    } catch (error) {
      // The object store checks its own digest of the chunks it reads back.
      if (error instanceof Error && /digest/i.test(error.message)) {
        throw new StoreError('tampered', `the manifest ${ref} is corrupt`);
      }
      throw error;
    }
    if (blob === null) throw new StoreError('missing', `no manifest ${ref}`);
    let json: string;
    try {
      json = this.box.open(new TextDecoder().decode(blob), transferId);
    } catch (error) {
      // SecretBox's message names the fingerprint of the key needed (a rotation), never a key.
      throw new StoreError(
        'tampered',
        `the manifest ${ref} does not open for ${transferId} (another transfer's, another key, or altered): ${(error as Error).message}`,
      );
    }
    if (sha256Digest(json) !== digest) {
      throw new StoreError('tampered', `the manifest ${ref} does not match its digest`);
    }
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new StoreError('invalid', `the manifest ${ref} is not JSON`);
    }
    if (!requestCheck.Check(value)) {
      const problems = [...requestCheck.Errors(value)]
        .slice(0, 5)
        .map((error) => `${pointerToPath(error.path) || '(manifest)'}: ${error.message}`);
      throw new StoreError(
        'invalid',
        `the manifest ${ref} is not a transfer request: ${problems.join('; ')}`,
      );
    }
    return value;
  }

  /**
   * Which key of the secret key ring the manifest of `transferId` needs (`current`, `previous`),
   * undefined when no key of the ring has the fingerprint it names (or opens it), `unreadable`
   * when it is not a sealed value (docs/secret-key-rotation.md). Reads only the start of a v2
   * manifest (`v2:<key fingerprint>:`, nothing decrypted); a v1 manifest is read whole and
   * opened, since only opening it tells its key. StoreError `missing`, `invalid` (a ref of
   * another bucket).
   */
  async sealingKey(ref: string, transferId: string): Promise<SealingKey | 'unreadable' | undefined> {
    const name = this.#objectName(ref);
    const head = await this.#head(name);
    if (head === null) throw new StoreError('missing', `no manifest ${ref}`);
    const said = this.box.headOf(head);
    if (said.format === 'v2') return said.key;
    if (said.format === 'invalid') return 'unreadable';
    const blob = await this.store.getBlob(name);
    if (blob === null) throw new StoreError('missing', `no manifest ${ref}`);
    return this.box.keyOfOrUndefined(new TextDecoder().decode(blob), transferId);
  }

  /**
   * Whether a manifest is sealed in the format of key rings (v2): evidence that this version of
   * Interco already ran on the deployment. Reads the start of each manifest until one is.
   */
  async someSealedInV2(): Promise<boolean> {
    for await (const info of await this.store.list()) {
      if (info.deleted) continue;
      const head = await this.#head(info.name);
      if (head !== null && this.box.headOf(head).format === 'v2') return true;
    }
    return false;
  }

  /** The first SEALED_HEAD_LENGTH characters of an object (its first chunk only); null: none. */
  async #head(name: string): Promise<string | null> {
    const result = await this.store.get(name);
    if (result === null) return null;
    // Stopped before the end: the read's outcome (a digest check of the whole) is not awaited.
    result.error.catch(() => undefined);
    const reader = result.data.getReader();
    const decoder = new TextDecoder();
    let head = '';
    try {
      while (head.length < SEALED_HEAD_LENGTH) {
        const { done, value } = await reader.read();
        if (done) break;
        head += decoder.decode(value, { stream: true });
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    return head.slice(0, SEALED_HEAD_LENGTH);
  }

  /** Removes a manifest; one already gone is fine. */
  async delete(ref: string): Promise<void> {
    const name = this.#objectName(ref);
    if ((await this.store.info(name)) === null) return;
    await this.store.delete(name);
  }

  #objectName(ref: string): string {
    const slash = ref.indexOf('/');
    const bucket = slash < 0 ? '' : ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    if (bucket !== this.bucket || name === '') {
      throw new StoreError('invalid', `manifest ref ${ref} is not of the bucket ${this.bucket}`);
    }
    return name;
  }
}
