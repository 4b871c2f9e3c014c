/**
 * The transfer's manifest and its chunks, cut with the limits stored in the record (never the
 * configuration's): the same chunk number names the same serials in every step and every attempt.
 */
import type { TransferRequest } from '@interco/contracts';
import {
  ChunkingError,
  ChunkingOptionsError,
  chunkingFingerprint,
  chunkTransfer,
  type DocumentChunk,
} from '@interco/erpnext';
import { StoreError } from '../stores/store-error.js';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { StepFailure } from './step-errors.js';

export interface ManifestReader {
  get(ref: string, digest: string, transferId: string): Promise<TransferRequest>;
}

export interface LoadedTransfer {
  manifest: TransferRequest;
  chunks: DocumentChunk[];
}

/**
 * Throws StepFailure when the manifest is missing, tampered with or invalid, when the stored
 * limits do not give the stored fingerprint (this version of Interco cuts transfers differently
 * from the one that requested it), or when the manifest cannot be cut; other errors (NATS) as
 * they are.
 */
export async function loadTransfer(
  manifests: ManifestReader,
  record: TransferRecord,
): Promise<LoadedTransfer> {
  let manifest: TransferRequest;
  try {
    manifest = await manifests.get(record.manifest.ref, record.manifest.digest, record.transfer_id);
  } catch (error) {
    if (error instanceof StoreError && error.kind !== 'conflict' && error.kind !== 'exists') {
      throw new StepFailure([
        `The manifest of transfer ${record.transfer_id} cannot be used (${error.kind}): ${error.message}`,
        'Interco cannot make or cancel documents without it; request the transfer again if it was not carried out.',
      ]);
    }
    throw error;
  }
  const limits = record.chunking.limits;
  let fingerprint: string;
  try {
    fingerprint = chunkingFingerprint(limits);
  } catch (error) {
    throw new StepFailure([
      `The chunking limits stored with the transfer are not valid: ${messageOf(error)}`,
    ]);
  }
  if (fingerprint !== record.chunking.fingerprint) {
    throw new StepFailure(
      [
        `This version of Interco cuts the transfer's documents as ${fingerprint}, but the transfer was requested with ${record.chunking.fingerprint}.`,
        'The same chunk numbers would name other serials, so nothing is written. Run the version of Interco that requested the transfer to finish (or cancel) it, then retry.',
      ],
      { retryable: true },
    );
  }
  try {
    return { manifest, chunks: chunkTransfer(manifest, limits) };
  } catch (error) {
    if (error instanceof ChunkingError || error instanceof ChunkingOptionsError) {
      throw new StepFailure([`The transfer cannot be cut into documents: ${error.message}`]);
    }
    throw error;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
