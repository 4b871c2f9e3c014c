import { describe, expect, it } from 'vitest';
import { DATA_DIR_ENV, PORT_BASE_ENV, parseDemoArgs, parseDevArgs } from './args.js';

describe('parseDevArgs', () => {
  it('defaults to .interco, port base 8080, log level info, no reset', () => {
    expect(parseDevArgs([])).toEqual({
      ok: true,
      value: { command: 'dev', dir: '.interco', portBase: 8080, logLevel: 'info', reset: false },
    });
  });

  it('reads every flag', () => {
    const parsed = parseDevArgs([
      '--reset',
      '--port-base',
      '18080',
      '--dir',
      '/tmp/x',
      '--log-level',
      'debug',
    ]);
    expect(parsed).toEqual({
      ok: true,
      value: { command: 'dev', dir: '/tmp/x', portBase: 18080, logLevel: 'debug', reset: true },
    });
  });

  it('takes the port base and folder from the environment, flags first', () => {
    const env = { [PORT_BASE_ENV]: '9000', [DATA_DIR_ENV]: '/data' };
    expect(parseDevArgs([], env)).toMatchObject({ ok: true, value: { portBase: 9000, dir: '/data' } });
    expect(parseDevArgs(['--port-base', '9100', '--dir', 'here'], env)).toMatchObject({
      ok: true,
      value: { portBase: 9100, dir: 'here' },
    });
  });

  it('refuses a bad port base, naming where it came from', () => {
    expect(parseDevArgs(['--port-base', '80'])).toEqual({
      ok: false,
      error: expect.stringMatching(/--port-base must be a port from 1024 to 65514, not "80"/),
    });
    expect(parseDevArgs(['--port-base', '8080x'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not "8080x"/),
    });
    expect(parseDevArgs([], { [PORT_BASE_ENV]: '70000' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^INTERCO_DEV_PORT_BASE must be/),
    });
  });

  it('refuses unknown options, positionals and log levels, and answers --help', () => {
    expect(parseDevArgs(['--nope'])).toMatchObject({ ok: false, error: expect.stringMatching(/--nope/) });
    expect(parseDevArgs(['extra'])).toMatchObject({ ok: false, error: expect.any(String) });
    expect(parseDevArgs(['--log-level', 'loud'])).toMatchObject({
      ok: false,
      error: expect.stringMatching(/--log-level/),
    });
    expect(parseDevArgs(['--help'])).toEqual({ ok: false, help: true });
    expect(parseDevArgs(['-h'])).toEqual({ ok: false, help: true });
  });
});

describe('parseDemoArgs', () => {
  it('takes the folder and port base like dev, but no --reset', () => {
    expect(parseDemoArgs(['--dir', 'd', '--port-base', '18080'])).toEqual({
      ok: true,
      value: { command: 'demo', dir: 'd', portBase: 18080, logLevel: 'info' },
    });
    expect(parseDemoArgs(['--reset'])).toMatchObject({ ok: false, error: expect.stringMatching(/--reset/) });
  });
});
