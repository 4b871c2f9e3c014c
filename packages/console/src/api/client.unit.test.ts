import { describe, expect, it } from 'vitest';
import { apiUrl, failureOf, networkFailure } from './client.js';

describe('apiUrl', () => {
  it('puts the API path under the base, keeping its own path', () => {
    expect(apiUrl('http://127.0.0.1:8085/', '/v1/transfers', 'status=failed&limit=50')).toBe(
      'http://127.0.0.1:8085/v1/transfers?status=failed&limit=50',
    );
    expect(apiUrl('https://ops.example.com/interco', '/v1/live')).toBe(
      'https://ops.example.com/interco/v1/live',
    );
    expect(apiUrl('https://ops.example.com/interco/', '/v1/instances', '')).toBe(
      'https://ops.example.com/interco/v1/instances',
    );
  });
});

describe('failureOf', () => {
  it('reads the API error body with its problems', async () => {
    const response = new Response(
      JSON.stringify({
        error: 'invalid_request',
        message: 'the request is not valid',
        problems: [{ path: 'items[0].qty', message: 'must be >= 1' }, { nonsense: true }],
      }),
      { status: 400, headers: { 'content-type': 'application/json' } },
    );
    expect(await failureOf(response)).toEqual({
      status: 400,
      code: 'invalid_request',
      message: 'the request is not valid',
      problems: [{ path: 'items[0].qty', message: 'must be >= 1' }],
    });
  });

  it('copes with a body that is not the API’s (a proxy’s page)', async () => {
    const failure = await failureOf(
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect(failure).toEqual({ status: 502, code: 'http_502', message: 'Bad Gateway', problems: [] });
  });

  it('says when no answer came', () => {
    expect(networkFailure(new TypeError('Failed to fetch'))).toEqual({
      status: 0,
      code: 'network',
      message: 'Failed to fetch',
      problems: [],
    });
  });
});
