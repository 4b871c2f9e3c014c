import { describe, expect, it } from 'vitest';
import { logLines } from '../test-support/log-lines.js';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('writes JSON lines with the service, the level name, an ISO time and the message', () => {
    const out = logLines();
    createLogger('po-a', { destination: out.destination }).info({ transfer_id: 'tr_1' }, 'started');
    expect(out.lines).toHaveLength(1);
    const [line] = out.lines;
    expect(line).toMatchObject({ service: 'po-a', level: 'info', transfer_id: 'tr_1', msg: 'started' });
    expect(line?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(line).not.toHaveProperty('pid');
    expect(line).not.toHaveProperty('hostname');
  });

  it('logs from the level given and above (info by default)', () => {
    const out = logLines();
    const logger = createLogger('po-a', { destination: out.destination });
    logger.debug('hidden');
    logger.warn('shown');
    const verbose = createLogger('po-a', { destination: out.destination, level: 'debug' });
    verbose.debug('shown too');
    expect(out.lines.map((line) => line.msg)).toEqual(['shown', 'shown too']);
  });

  it('redacts credentials at the top and one level down', () => {
    const out = logLines();
    createLogger('intake', { destination: out.destination }).info(
      {
        authorization: 'Bearer itk_top',
        token: 'itk_token',
        password: 'pw-top',
        instance: { id: 'erp-a', api_key: 'key-1', api_secret: 'secret-1', base_url: 'https://a.test' },
        auth: { token: 'itk_nested', secret: 'nested-secret', password: 'pw-nested' },
      },
      'instance',
    );
    const [line] = out.lines;
    expect(line).toMatchObject({
      authorization: '[redacted]',
      token: '[redacted]',
      password: '[redacted]',
      instance: { id: 'erp-a', api_key: '[redacted]', api_secret: '[redacted]', base_url: 'https://a.test' },
      auth: { token: '[redacted]', secret: '[redacted]', password: '[redacted]' },
    });
    for (const secret of ['itk_', 'key-1', 'secret-1', 'nested-secret', 'pw-']) {
      expect(out.text()).not.toContain(secret);
    }
  });

  it('redacts request authorization and cookie headers', () => {
    const out = logLines();
    createLogger('intake', { destination: out.destination }).info(
      { req: { method: 'POST', headers: { authorization: 'Bearer itk_abc', cookie: 'sid=1', host: 'x' } } },
      'request',
    );
    expect(out.lines[0]?.req).toEqual({
      method: 'POST',
      headers: { authorization: '[redacted]', cookie: '[redacted]', host: 'x' },
    });
  });

  it('redacts serials, also inside items', () => {
    const out = logLines();
    createLogger('po-a', { destination: out.destination }).info(
      {
        serials: ['PIN-0001'],
        chunk: { serials: ['PIN-0002'] },
        items: [{ item_code: 'SIM', serials: ['PIN-0003'] }],
        manifest: { items: [{ item_code: 'SIM', serials: ['PIN-0004'] }] },
      },
      'chunk',
    );
    const [line] = out.lines;
    expect(line).toMatchObject({
      serials: '[redacted]',
      chunk: { serials: '[redacted]' },
      items: [{ item_code: 'SIM', serials: '[redacted]' }],
      manifest: { items: [{ item_code: 'SIM', serials: '[redacted]' }] },
    });
    expect(out.text()).not.toContain('PIN-');
  });

  it('redacts extra paths given', () => {
    const out = logLines();
    createLogger('po-a', { destination: out.destination, redact: ['body.pin'] }).info(
      { body: { pin: '1234', other: 'ok' } },
      'body',
    );
    expect(out.lines[0]?.body).toEqual({ pin: '[redacted]', other: 'ok' });
  });

  it('serializes errors under err with their message and stack', () => {
    const out = logLines();
    createLogger('po-a', { destination: out.destination }).error({ err: new Error('boom') }, 'failed');
    expect(out.lines[0]?.err).toMatchObject({ type: 'Error', message: 'boom' });
    expect(String((out.lines[0]?.err as { stack?: unknown } | undefined)?.stack)).toContain('boom');
  });
});
