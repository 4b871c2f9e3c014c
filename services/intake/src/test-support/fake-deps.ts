/**
 * In-memory stand-ins for intake's stores and stream, recording every call: for unit tests of
 * the write sequence and of the app's answers (fastify `inject`, no NATS).
 */
import type { Principal } from '@interco/auth';
import type { TransferRecord } from '@interco/bus';
import type { IntercoEvent, TransferRequest } from '@interco/contracts';
import { chunkingFingerprint, RegistryError, resolveChunkingLimits } from '@interco/erpnext';
import { createLogger } from '@interco/service';
import type { IntakeDeps } from '../deps.js';
import { statusUrlFor } from '../transfers/status-url.js';

export const WRITER: Principal = { tokenId: 'writer000001', name: 'writer', scopes: ['transfers:write'] };
export const ADMIN: Principal = { tokenId: 'bootstrap', name: 'bootstrap', scopes: ['admin'] };

/** `Bearer writer` and `Bearer admin` verify as these principals; anything else is unknown. */
const PRINCIPALS: Record<string, Principal> = { 'Bearer writer': WRITER, 'Bearer admin': ADMIN };

export interface FakeDeps extends IntakeDeps {
  /** Every store call, in order: `reserve`, `manifest.put`, `record.create`, `publish`... */
  readonly calls: string[];
  readonly records: Map<string, TransferRecord>;
  readonly manifestsStored: Map<string, TransferRequest>;
  readonly reserved: Map<string, string>;
  readonly keys: Map<string, { transfer_id: string; request_digest: string; created_at: string }>;
  readonly published: IntercoEvent[];
}

export function fakeDeps(overrides: Partial<IntakeDeps> = {}): FakeDeps {
  const calls: string[] = [];
  const records = new Map<string, TransferRecord>();
  const manifestsStored = new Map<string, TransferRequest>();
  const reserved = new Map<string, string>();
  const keys = new Map<string, { transfer_id: string; request_digest: string; created_at: string }>();
  const published: IntercoEvent[] = [];
  const limits = resolveChunkingLimits({});
  const deps: FakeDeps = {
    calls,
    records,
    manifestsStored,
    reserved,
    keys,
    published,
    logger: createLogger('intake-test', { level: 'silent' }),
    tokens: {
      verify: async (credential) => {
        const principal = PRINCIPALS[credential ?? ''];
        return principal === undefined ? { ok: false, reason: 'unknown' } : { ok: true, principal };
      },
      mint: async () => {
        throw new Error('not in this fake');
      },
      list: async () => [],
      revoke: async () => false,
    },
    registry: {
      add: async () => {
        throw new Error('not in this fake');
      },
      update: async () => {
        throw new Error('not in this fake');
      },
      remove: async () => undefined,
      list: async () => [],
      describe: async (id) => {
        if (!id.startsWith('erp-')) throw new RegistryError('not_found', `no instance ${id}`);
        return {
          id,
          name: id,
          base_url: 'http://127.0.0.1:9',
          api_key_hint: '',
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
        };
      },
      config: async (id) => {
        throw new RegistryError('not_found', `no instance ${id}`);
      },
      test: async () => ({ ok: false, error: 'not in this fake' }),
    },
    transfers: {
      get: async (id) => {
        const record = records.get(id);
        return record === undefined ? undefined : { record: structuredClone(record), revision: 1 };
      },
      create: async (record) => {
        calls.push('record.create');
        records.set(record.transfer_id, structuredClone(record));
        return 1;
      },
      update: async (id, change) => {
        const current = records.get(id);
        if (current === undefined) return undefined;
        const next = change(structuredClone(current));
        if (next !== undefined) records.set(id, next);
        return { record: structuredClone(records.get(id) as TransferRecord), revision: 2 };
      },
      delete: async (id) => {
        calls.push('record.delete');
        records.delete(id);
      },
    },
    manifests: {
      put: async (transferId, manifest) => {
        calls.push('manifest.put');
        manifestsStored.set(transferId, structuredClone(manifest));
        return { ref: `manifests/${transferId}`, digest: `sha256:${'0'.repeat(64)}` };
      },
      get: async (ref) => {
        const manifest = manifestsStored.get(ref.replace('manifests/', ''));
        if (manifest === undefined) throw new Error(`no manifest ${ref}`);
        return manifest;
      },
      delete: async (ref) => {
        calls.push('manifest.delete');
        manifestsStored.delete(ref.replace('manifests/', ''));
      },
    },
    reservations: {
      reserve: async (transferId, digests) => {
        calls.push('reserve');
        const conflicts = digests
          .filter((digest) => reserved.has(digest) && reserved.get(digest) !== transferId)
          .map((digest) => ({ digest, holder: reserved.get(digest) as string }));
        if (conflicts.length > 0) return { ok: false, conflicts };
        for (const digest of digests) reserved.set(digest, transferId);
        return { ok: true };
      },
      release: async (transferId, digests) => {
        calls.push('release');
        let released = 0;
        for (const digest of digests) {
          if (reserved.get(digest) === transferId) {
            reserved.delete(digest);
            released++;
          }
        }
        return released;
      },
    },
    idempotency: {
      claim: async (actor, key, value) => {
        calls.push('key.claim');
        const existing = keys.get(`${actor}\n${key}`);
        if (existing !== undefined) return { claimed: false, existing: { ...existing } };
        keys.set(`${actor}\n${key}`, { ...value, created_at: new Date().toISOString() });
        return { claimed: true };
      },
      release: async (actor, key, transferId) => {
        calls.push('key.release');
        if (keys.get(`${actor}\n${key}`)?.transfer_id === transferId) keys.delete(`${actor}\n${key}`);
      },
    },
    digester: { digest: (serial) => `d:${serial.toLowerCase()}` },
    publish: async (event) => {
      calls.push('publish');
      published.push(event);
      return { seq: published.length, duplicate: false };
    },
    history: async (transferId) => published.filter((event) => event.transferid === transferId),
    caps: { maxSerials: 100, maxItems: 10 },
    chunking: { limits, fingerprint: chunkingFingerprint(limits) },
    statusUrl: statusUrlFor(undefined),
    readiness: () => ({ nats: true }),
    erpnextClient: () => {
      throw new Error('not in this fake');
    },
    secretKey: {
      status: async () => {
        throw new Error('not in this fake');
      },
      reseal: async () => {
        throw new Error('not in this fake');
      },
    },
    ...overrides,
  };
  return deps;
}
