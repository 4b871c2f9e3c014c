import type { TransferDocument } from '../read-model/transfer-document.schema.js';

/**
 * The documents a projector wrote last, by transfer id (least recently used dropped first), so a
 * transfer whose events span batches is not read back each time (on FerretDB a read of a document
 * with its journal costs as much as a write). Safe with several replicas: every write is a
 * compare-and-set on `version`, and a write that loses drops the entry and reads the store.
 */
export class DocumentCache {
  readonly #docs = new Map<string, TransferDocument>();

  constructor(readonly limit = 2_000) {}

  get(transferId: string): TransferDocument | undefined {
    const doc = this.#docs.get(transferId);
    if (doc !== undefined) {
      this.#docs.delete(transferId);
      this.#docs.set(transferId, doc);
    }
    return doc;
  }

  set(doc: TransferDocument): void {
    this.#docs.delete(doc._id);
    this.#docs.set(doc._id, doc);
    while (this.#docs.size > this.limit) {
      const oldest = this.#docs.keys().next();
      if (oldest.done === true) break;
      this.#docs.delete(oldest.value);
    }
  }

  delete(transferId: string): void {
    this.#docs.delete(transferId);
  }

  get size(): number {
    return this.#docs.size;
  }
}
