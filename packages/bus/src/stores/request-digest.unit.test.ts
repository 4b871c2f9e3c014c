import { describe, expect, it } from 'vitest';
import { sampleRequest } from '../test-support/store-fixtures.js';
import { canonicalJson, requestDigest } from './request-digest.js';

describe('canonicalJson', () => {
  it('sorts keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson([2, 1])).toBe('[2,1]');
  });

  it('writes what JSON.stringify writes, except the key order', () => {
    const value = { s: 'é\n"', n: -1.5e-7, t: true, f: false, z: null, e: [], o: {} };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });
});

describe('requestDigest', () => {
  it('is sha256 of the canonical JSON, whatever the key order', () => {
    const request = sampleRequest(3);
    const reordered = Object.fromEntries(Object.entries(request).reverse()) as typeof request;
    expect(requestDigest(request)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(requestDigest(reordered)).toBe(requestDigest(request));
  });

  it('changes with any value, and with the order of serials', () => {
    const request = sampleRequest(3);
    const digest = requestDigest(request);
    expect(requestDigest({ ...request, supplier: 'Other' })).not.toBe(digest);
    const item = request.items[0];
    if (item === undefined) throw new Error('no item');
    const swapped = { ...request, items: [{ ...item, serials: [...item.serials].reverse() }] };
    expect(requestDigest(swapped)).not.toBe(digest);
  });

  it('digests 100,000 serials quickly', () => {
    const request = sampleRequest(100_000, 10);
    const started = performance.now();
    expect(requestDigest(request)).toMatch(/^sha256:/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
