import { MongoError, MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { transientFailure } from './projector.js';

describe('transientFailure', () => {
  it('MongoDB unreachable, not primary, retryable: the whole batch comes again', () => {
    expect(transientFailure(new MongoNetworkError('connection reset'))).toBe(true);
    expect(
      transientFailure(
        new MongoServerSelectionError('no server', { type: 'Unknown', servers: new Map() } as never),
      ),
    ).toBe(true);
    const notPrimary = new MongoServerError({ message: 'not primary', code: 10107 });
    notPrimary.addErrorLabel('RetryableWriteError');
    expect(transientFailure(notPrimary)).toBe(true);
  });

  it('a document refused, or any other error: isolated transfer by transfer', () => {
    expect(transientFailure(new MongoServerError({ message: 'too large', code: 10334 }))).toBe(false);
    expect(transientFailure(new MongoServerError({ message: 'validation failed', code: 121 }))).toBe(false);
    expect(transientFailure(new MongoError('something else'))).toBe(false);
    expect(transientFailure(new Error('lost to other writers'))).toBe(false);
  });
});
