import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
} from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import { natsUnavailable } from './nats-unavailable.js';

/** An error as the library makes one it does not export (known by its name). */
function named(name: string, message: string, more: Record<string, unknown> = {}, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  error.name = name;
  return Object.assign(error, more);
}

const apiError = (status: number, errCode: number, description: string) =>
  new JetStreamApiError({ code: status, err_code: errCode, description });

describe('natsUnavailable', () => {
  it('knows the connection failing: timeouts, closed, draining or failed connections, no responders', () => {
    for (const error of [
      new TimeoutError(),
      new ClosedConnectionError(),
      new DrainingConnectionError(),
      new ConnectionError('connection refused'),
      new NoRespondersError('$JS.API.STREAM.INFO.X'),
      new RequestError('no responders', { cause: new NoRespondersError('$JS.API') }),
      named('JetStreamNotEnabled', 'jetstream is not enabled'),
    ]) {
      expect(natsUnavailable(error), error.name).toBe(true);
    }
  });

  it('knows them by name too (another copy of the library)', () => {
    for (const name of ['TimeoutError', 'ClosedConnectionError', 'ConnectionError', 'NoRespondersError']) {
      expect(natsUnavailable(named(name, 'x')), name).toBe(true);
    }
  });

  it('knows JetStream answering with a server-side error (5xx), not with a client error (4xx)', () => {
    expect(natsUnavailable(apiError(503, 10008, 'JetStream system temporarily unavailable'))).toBe(true);
    expect(natsUnavailable(apiError(503, 10023, 'insufficient resources'))).toBe(true);
    expect(natsUnavailable(apiError(500, 10009, 'JetStream cluster can not handle request'))).toBe(true);
    expect(natsUnavailable(apiError(500, 10118, 'stream is offline'))).toBe(true);

    expect(natsUnavailable(apiError(400, 10052, 'invalid stream config'))).toBe(false);
    expect(
      natsUnavailable(apiError(400, JetStreamApiCodes.StreamWrongLastSequence, 'wrong last sequence: 4')),
    ).toBe(false);
    expect(natsUnavailable(apiError(404, JetStreamApiCodes.StreamNotFound, 'stream not found'))).toBe(false);
  });

  it('knows a pull that lost its server: heartbeats missed, 503, 408, consumer deleted, leadership change', () => {
    expect(natsUnavailable(named('JetStreamError', 'heartbeats missed'))).toBe(true);
    for (const [code, message] of [
      [503, 'no responders'],
      [408, 'request timeout'],
      [409, 'consumer deleted'],
      [409, 'leadership change'],
    ] as const) {
      expect(natsUnavailable(named('JetStreamStatusError', message, { code })), message).toBe(true);
    }
    expect(natsUnavailable(named('JetStreamStatusError', 'bad request', { code: 400 }))).toBe(false);
    expect(
      natsUnavailable(named('JetStreamStatusError', 'exceeded maxrequestbatch of 1', { code: 409 })),
    ).toBe(false);
    expect(natsUnavailable(named('JetStreamError', 'invalid ack response'))).toBe(false);
  });

  it('looks through causes, a few levels deep', () => {
    const wrapped = new Error('reading the record failed', {
      cause: new Error('kv get', { cause: new TimeoutError() }),
    });
    expect(natsUnavailable(wrapped)).toBe(true);
    let deep: Error = new TimeoutError();
    for (let i = 0; i < 6; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(natsUnavailable(deep)).toBe(false);
  });

  it('is false for anything else', () => {
    expect(natsUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(natsUnavailable(new Error('boom'))).toBe(false);
    expect(natsUnavailable('timeout')).toBe(false);
    expect(natsUnavailable(undefined)).toBe(false);
  });
});
