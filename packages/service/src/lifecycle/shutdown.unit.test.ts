import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { createLogger } from '../logging/logger.js';
import { logLines } from '../test-support/log-lines.js';
import { runMain } from './run-main.js';
import { onShutdown } from './shutdown.js';

// The signal used by the tests: emitting a real SIGTERM on the test process would reach the test
// runner's own handlers.
const SIGNAL = 'SIGUSR2';

function deferred() {
  let resolve: () => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('onShutdown', () => {
  let dispose: () => void = () => {};
  afterEach(() => {
    dispose();
    vi.useRealTimers();
  });

  it('handles SIGTERM and SIGINT by default, and removes its handlers when disposed', () => {
    const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
    const remove = onShutdown(createLogger('t', { level: 'silent' }), async () => {}, { exit: () => {} });
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual([
      (before[0] ?? 0) + 1,
      (before[1] ?? 0) + 1,
    ]);
    remove();
    expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
  });

  it('runs stop once with the signal, logs it, then exits 0', async () => {
    const out = logLines();
    const exit = vi.fn();
    const stop = vi.fn(async () => {});
    dispose = onShutdown(createLogger('t', { destination: out.destination }), stop, {
      exit,
      signals: [SIGNAL],
    });
    process.emit(SIGNAL, SIGNAL);
    await flush();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledWith(SIGNAL);
    expect(exit.mock.calls).toEqual([[0]]);
    expect(out.messages()).toEqual(['shutting down', 'stopped']);
    expect(out.lines[0]).toMatchObject({ signal: SIGNAL });
  });

  it('exits 1 at once on a second signal while stopping, without running stop again', async () => {
    const exit = vi.fn();
    const pending = deferred();
    const stop = vi.fn(() => pending.promise);
    dispose = onShutdown(createLogger('t', { level: 'silent' }), stop, { exit, signals: [SIGNAL] });
    process.emit(SIGNAL, SIGNAL);
    process.emit(SIGNAL, SIGNAL);
    expect(exit.mock.calls).toEqual([[1]]);
    pending.resolve();
    await flush();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(exit.mock.calls).toEqual([[1]]);
  });

  it('exits 1 when stop does not finish within the timeout', async () => {
    vi.useFakeTimers();
    const out = logLines();
    const exit = vi.fn();
    dispose = onShutdown(createLogger('t', { destination: out.destination }), () => new Promise(() => {}), {
      exit,
      timeoutMs: 1_000,
      signals: [SIGNAL],
    });
    process.emit(SIGNAL, SIGNAL);
    await vi.advanceTimersByTimeAsync(999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(exit.mock.calls).toEqual([[1]]);
    expect(out.messages()).toContain('shutdown did not finish in time: exiting');
  });

  it('exits 1 when stop fails, logging the error', async () => {
    const out = logLines();
    const exit = vi.fn();
    dispose = onShutdown(
      createLogger('t', { destination: out.destination }),
      async () => {
        throw new Error('drain failed');
      },
      { exit, signals: [SIGNAL] },
    );
    process.emit(SIGNAL, SIGNAL);
    await flush();
    expect(exit.mock.calls).toEqual([[1]]);
    expect(out.lines.at(-1)).toMatchObject({
      level: 'error',
      msg: 'shutdown failed',
      err: { message: 'drain failed' },
    });
  });

  it('does not run stop after its handlers were removed', async () => {
    const stop = vi.fn(async () => {});
    const exit = vi.fn();
    const remove = onShutdown(createLogger('t', { level: 'silent' }), stop, { exit, signals: [SIGNAL] });
    remove();
    const keepAlive = () => {};
    process.on(SIGNAL, keepAlive); // without a listener, the signal would end the process
    process.emit(SIGNAL, SIGNAL);
    process.off(SIGNAL, keepAlive);
    await flush();
    expect(stop).not.toHaveBeenCalled();
    expect(exit).not.toHaveBeenCalled();
  });
});

describe('runMain', () => {
  it('does not exit when main resolves', async () => {
    const exit = vi.fn();
    runMain('t', async () => {}, { exit });
    await flush();
    expect(exit).not.toHaveBeenCalled();
  });

  it('logs the problems of a ConfigError without a stack, and exits 2', async () => {
    const out = logLines();
    const exit = vi.fn();
    runMain(
      'po-a',
      async () => {
        throw new ConfigError([{ variable: 'PORT', message: 'is not set' }]);
      },
      { exit, destination: out.destination },
    );
    await flush();
    expect(exit.mock.calls).toEqual([[2]]);
    expect(out.lines).toEqual([
      expect.objectContaining({
        service: 'po-a',
        level: 'fatal',
        msg: 'configuration is not valid',
        problems: [{ variable: 'PORT', message: 'is not set' }],
      }),
    ]);
    expect(JSON.stringify(out.lines)).not.toContain('at ');
  });

  it('logs any other error as fatal with its stack, and exits 1', async () => {
    const out = logLines();
    const exit = vi.fn();
    runMain(
      'po-a',
      () => {
        throw new Error('cannot connect');
      },
      { exit, destination: out.destination },
    );
    await flush();
    expect(exit.mock.calls).toEqual([[1]]);
    expect(out.lines[0]).toMatchObject({ level: 'fatal', err: { message: 'cannot connect' } });
    expect(String((out.lines[0]?.err as { stack?: unknown } | undefined)?.stack)).toContain('cannot connect');
  });
});
