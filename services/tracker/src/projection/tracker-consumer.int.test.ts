import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStreamFixture, type StreamFixture } from '../test-support/stream-fixture.js';
import { ensureTrackerConsumer, isConsumerExists, TRACKER_CONSUMER } from './tracker-consumer.js';

let fixture: StreamFixture;

beforeAll(async () => {
  fixture = await openStreamFixture();
});
afterAll(async () => {
  await fixture?.close();
});

const deleteConsumer = () =>
  fixture.jsm.consumers.delete(fixture.names.stream, TRACKER_CONSUMER).catch(() => undefined);

describe('ensureTrackerConsumer with a start position', () => {
  it('passes on a start position the server refuses (not swallowed)', async () => {
    await deleteConsumer();
    // By start sequence with no sequence: JetStream refuses the consumer.
    await expect(
      ensureTrackerConsumer(fixture.jsm, fixture.names, { batchSize: 16, startSequence: 0 }),
    ).rejects.toBeInstanceOf(JetStreamApiError);
    await expect(fixture.jsm.consumers.info(fixture.names.stream, TRACKER_CONSUMER)).rejects.toThrow();
  });

  it('goes on when another replica created the consumer meanwhile', async () => {
    await deleteConsumer();
    await ensureTrackerConsumer(fixture.jsm, fixture.names, { batchSize: 16, startSequence: 7 });
    // This replica's info call saw no consumer; its create then finds the other's.
    let infoCalls = 0;
    const racing = {
      ...fixture.jsm,
      consumers: new Proxy(fixture.jsm.consumers, {
        get(target, key) {
          const value = Reflect.get(target, key, target) as (...args: unknown[]) => unknown;
          if (key === 'info')
            return (...args: unknown[]) => {
              infoCalls++;
              if (infoCalls === 1)
                return Promise.reject(
                  new JetStreamApiError({ code: 404, err_code: 10014, description: 'consumer not found' }),
                );
              return value.apply(target, args);
            };
          if (key === 'add')
            return (stream: string, config: Record<string, unknown>) =>
              value.apply(target, [stream, { ...config, opt_start_seq: 9 }]);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    } as JetStreamManager;
    const info = await ensureTrackerConsumer(racing, fixture.names, { batchSize: 16, startSequence: 9 });
    expect(info.config.opt_start_seq).toBe(7);
  });

  it('knows the codes of "the consumer exists"', () => {
    const error = (errCode: number) =>
      new JetStreamApiError({ code: 400, err_code: errCode, description: '' });
    expect(isConsumerExists(error(10148))).toBe(true);
    expect(isConsumerExists(error(10013))).toBe(true);
    expect(isConsumerExists(error(10094))).toBe(false);
    expect(isConsumerExists(new Error('consumer already exists'))).toBe(false);
  });
});
