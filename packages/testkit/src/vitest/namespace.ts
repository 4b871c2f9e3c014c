import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

/** Names a test file can own on the shared servers, so test files never see each other's data. */
export interface TestNamespace {
  /** `<file>_<random>`: lowercase letters, digits and `_`. */
  id: string;
  /** `t_<id>`: one NATS subject token; use `${subjectPrefix}.orders.created` etc. */
  subjectPrefix: string;
  /** `t_<id>`: a valid JetStream stream name. */
  streamName: string;
  /** `t_<id>`, at most 38 characters: valid for MongoDB and FerretDB. */
  dbName: string;
}

const MAX_DB_NAME = 38;
const SUFFIX_CHARS = 8;

/** The namespace for a test file at `filePath`; `suffix` is random unless given (for tests). */
export function namespaceFor(
  filePath: string,
  suffix = randomBytes(SUFFIX_CHARS / 2).toString('hex'),
): TestNamespace {
  const stem = basename(filePath)
    .replace(/\.(unit|int)?\.?(test|spec|bench)\.[cm]?[jt]sx?$/, '')
    .replace(/\.[cm]?[jt]sx?$/, '');
  const room = MAX_DB_NAME - 't_'.length - '_'.length - suffix.length;
  const slug =
    stem
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, room)
      .replace(/_+$/, '') || 'test';
  const id = `${slug}_${suffix.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
  const name = `t_${id}`;
  return { id, subjectPrefix: name, streamName: name, dbName: name };
}
