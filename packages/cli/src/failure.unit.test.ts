import { describe, expect, it } from 'vitest';
import { causeOf, errorFailure } from './api/client.js';
import { CliFailure, EXIT_CODES, failureKindOfStatus } from './failure.js';
import { exitCodeOfStatus, isFinal } from './watch/transfer-status.js';

describe('exit codes (docs/running.md)', () => {
  it('maps every HTTP error status to its kind and code', () => {
    const expected: [number, number][] = [
      [400, 5],
      [401, 3],
      [403, 3],
      [404, 4],
      [409, 5],
      [413, 5],
      [415, 5],
      [422, 5],
      [500, 6],
      [502, 6],
      [503, 6],
      [418, 1],
    ];
    for (const [status, code] of expected)
      expect([status, EXIT_CODES[failureKindOfStatus(status)]]).toEqual([status, code]);
  });

  it('usage 2, unexpected and failed 1', () => {
    expect(new CliFailure('usage', 'x').exitCode).toBe(2);
    expect(new CliFailure('unexpected', 'x').exitCode).toBe(1);
    expect(new CliFailure('failed', 'x').exitCode).toBe(1);
    expect(new CliFailure('unreachable', 'x').exitCode).toBe(6);
  });

  it('a watched transfer: 0 completed or cancelled, 1 failed or cancel_failed; final only in the generation waited for', () => {
    expect(['completed', 'cancelled', 'failed', 'cancel_failed'].map(exitCodeOfStatus)).toEqual([0, 0, 1, 1]);
    const view = { status: 'failed', generation: 1 } as Parameters<typeof isFinal>[0];
    expect(isFinal(view)).toBe(true);
    expect(isFinal(view, 2)).toBe(false);
    expect(isFinal({ ...view, status: 'in_progress', generation: 2 }, 2)).toBe(false);
  });
});

describe('errorFailure', () => {
  it('keeps the API’s message, code, problems (with their paths) and body', () => {
    const body = {
      error: 'invalid_request',
      message: 'the request is not valid: 2 problems',
      problems: [
        { path: 'items[0].qty', message: 'must be at least 1' },
        { path: '', message: 'unknown field' },
      ],
    };
    const failure = errorFailure('intake', 400, JSON.stringify(body));
    expect(failure.kind).toBe('refused');
    expect(failure.exitCode).toBe(5);
    expect(failure.message).toBe(body.message);
    expect(failure.details).toMatchObject({
      status: 400,
      code: 'invalid_request',
      problems: body.problems,
      body,
    });
  });

  it('says when an error has no error body, and passes Retry-After on', () => {
    const failure = errorFailure('tracker', 503, '<html>bad gateway</html>', '30');
    expect(failure.kind).toBe('unreachable');
    expect(failure.message).toBe('tracker answered without an error body (try again in 30 s)');
    expect(failure.details.status).toBe(503);
  });

  it('names a network error by its code and cause', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(causeOf(error)).toBe('fetch failed: connect ECONNREFUSED 127.0.0.1:1');
  });
});
