import type { TransferRequest } from '@interco/contracts';
import { sha256Digest } from './digest.js';

/**
 * JSON with every object's keys sorted (recursively, by UTF-16 code units) and no whitespace:
 * two values that are equal as JSON give the same text whatever the order of their keys.
 * Properties whose value is undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined && typeof item !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/**
 * The digest an Idempotency-Key compares: `sha256:<hex>` of the normalized request's canonical
 * JSON. The same request sent twice, its keys in any order, has the same digest.
 */
export function requestDigest(request: TransferRequest): string {
  return sha256Digest(canonicalJson(request));
}
