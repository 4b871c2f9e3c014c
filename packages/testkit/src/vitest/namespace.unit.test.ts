import { describe, expect, it } from 'vitest';
import { testNamespace } from './index.js';
import { namespaceFor } from './namespace.js';

// Rules of the servers: a NATS subject token has no `.`, `*`, `>` or whitespace; a JetStream
// stream name is letters, digits, `_` and `-`; a database name is kept to lowercase letters,
// digits and `_`, at most 38 characters (safe for MongoDB and FerretDB).
function expectValid(ns: ReturnType<typeof namespaceFor>): void {
  expect(ns.subjectPrefix).toMatch(/^t_[a-z0-9_]+$/);
  expect(ns.streamName).toMatch(/^[A-Za-z0-9_-]+$/);
  expect(ns.dbName).toMatch(/^[a-z0-9_]{1,38}$/);
  expect(ns.subjectPrefix).toContain(ns.id);
}

describe('testNamespace', () => {
  it('gives different, valid names on each call, derived from this file', () => {
    const a = testNamespace();
    const b = testNamespace();
    expectValid(a);
    expectValid(b);
    expect(a.id).toMatch(/^namespace_[0-9a-f]{8}$/);
    expect(b.id).not.toBe(a.id);
    expect(b.streamName).not.toBe(a.streamName);
    expect(b.dbName).not.toBe(a.dbName);
  });
});

describe('namespaceFor', () => {
  it('turns a long, odd file name into valid names that fit', () => {
    const ns = namespaceFor(
      '/x/services/y/src/Very-Long.File Name.With.Dots.and-more-words.int.test.ts',
      'abcd1234',
    );
    expectValid(ns);
    expect(ns.dbName.length).toBeLessThanOrEqual(38);
    expect(ns.id).toMatch(/^very_long_file_name_with_do_abcd1234$/);
  });

  it('copes with a name that has no usable characters', () => {
    const ns = namespaceFor('/x/+++.unit.test.ts', 'ffff0000');
    expectValid(ns);
    expect(ns.id).toBe('test_ffff0000');
  });
});
