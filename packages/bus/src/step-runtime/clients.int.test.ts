import { ErpnextError, InstanceRegistry, SecretBox } from '@interco/erpnext';
import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import { createLogger } from '@interco/service';
import { freePort } from '@interco/testkit';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { connectNats } from '../nats/connect.js';
import { type HeldClient, StepClients } from './clients.js';
import { StepFailure } from './step-errors.js';

// The breaker state gauge of the step services' clients, against the real instance registry (KV,
// followed by InstanceCache): one series per instance with a current client, none left behind by
// a removed instance, and a replaced client that stops reporting when its successor starts.

const names = busNames(testNamespace().subjectPrefix);
const box = SecretBox.fromKeyText(SecretBox.generateKeyText());
const logger = createLogger('step-clients-test', { level: 'silent' });
const RESET_MS = 300;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  ok: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('StepClients: the breaker state of each instance', () => {
  let nc: NatsConnection;
  let registry: InstanceRegistry;
  let clients: StepClients;
  let metrics: ServiceMetrics;
  let baseUrl: string;
  const breakerStates = async () =>
    Object.fromEntries(
      findSamples(parseExposition((await metrics.render()).body), 'interco_erpnext_breaker_state').map(
        (s) => [s.labels.instance, s.value],
      ),
    );
  const failedPing = async (held: HeldClient) => {
    const error = await held.client.ping().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ErpnextError);
    return (error as ErpnextError).reason;
  };
  /** The client of `id` once the cache has the instance (and, when given, not `previous`). */
  const holdWhenReady = (id: string, previous?: HeldClient) =>
    eventually(
      `a client of ${id}`,
      () => {
        try {
          const held = clients.hold(id);
          if (held.client !== previous?.client) return held;
          held.release();
        } catch (error) {
          if (!(error instanceof StepFailure)) throw error;
        }
        return undefined;
      },
      (held) => held !== undefined,
    ) as Promise<HeldClient>;

  beforeAll(async () => {
    nc = await connectNats({ url: natsUrl(), name: 'step-clients-int-test' });
    registry = await InstanceRegistry.open(nc, box, { bucket: names.buckets.instances });
    metrics = new ServiceMetrics({ service: 'po-a', defaultMetrics: false });
    clients = await StepClients.open(nc, {
      bucket: names.buckets.instances,
      box,
      logger,
      metrics,
      clientOptions: {
        retry: { maxAttempts: 1 },
        breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeout: RESET_MS },
      },
    });
    // Nothing listens there: every request fails at once (network), and counts against the site.
    baseUrl = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(async () => {
    await clients?.close();
    await registry?.kv.destroy().catch(() => undefined);
    await nc?.close();
  });

  it('reports the current client only, and removes the series of a removed instance', async () => {
    const instance = {
      id: 'down-a',
      name: 'Down A',
      base_url: baseUrl,
      api_key: 'test-key-0123456789',
      api_secret: 'test-secret-not-real',
    };
    await registry.add(instance);
    await registry.add({ ...instance, id: 'other-b', name: 'Other B' });
    expect(await breakerStates()).toEqual({});

    const first = await holdWhenReady('down-a');
    const other = await holdWhenReady('other-b');
    expect(await breakerStates()).toEqual({ 'down-a': 0, 'other-b': 0 });
    expect(await failedPing(first)).toBe('network');
    expect(await failedPing(first)).toBe('network');
    expect(first.client.health().breaker.state).toBe('open');
    expect(await breakerStates()).toEqual({ 'down-a': 2, 'other-b': 0 });
    expect(await failedPing(first)).toBe('breaker_open');

    // The instance changes while `first` is held: its series goes at once (no stale 2 = open).
    await registry.update('down-a', { name: 'Down A, renamed' });
    await eventually('the series removed', breakerStates, (states) => !('down-a' in states));
    // The retired client, still held, half-opens: it no longer reports.
    await sleep(RESET_MS + 100);
    expect(first.client.health().breaker.state).toBe('half-open');
    expect(await breakerStates()).toEqual({ 'other-b': 0 });

    // The new client reports from its first hold; the old one's trial fails (open again), silently.
    const second = await holdWhenReady('down-a', first);
    expect(await breakerStates()).toEqual({ 'down-a': 0, 'other-b': 0 });
    expect(await failedPing(first)).toBe('network');
    expect(first.client.health().breaker.state).toBe('open');
    expect(await breakerStates()).toEqual({ 'down-a': 0, 'other-b': 0 });
    first.release();
    expect(await failedPing(second)).toBe('network');
    expect(await failedPing(second)).toBe('network');
    expect(await breakerStates()).toEqual({ 'down-a': 2, 'other-b': 0 });

    // Removed from the registry: its series goes, and stays gone.
    second.release();
    await registry.remove('down-a');
    await eventually('the series removed', breakerStates, (states) => !('down-a' in states));
    await sleep(RESET_MS + 100);
    expect(await breakerStates()).toEqual({ 'other-b': 0 });
    expect(() => clients.hold('down-a')).toThrow(StepFailure);

    // Requests and failures stay counted (counters), by instance.
    const samples = parseExposition((await metrics.render()).body);
    expect(
      findSamples(samples, 'interco_erpnext_request_errors_total', { instance: 'down-a', status: 'network' })
        .map((s) => s.value)
        .reduce((a, b) => a + b, 0),
    ).toBe(5);

    // Closing the clients removes the rest.
    other.release();
    await clients.close();
    expect(await breakerStates()).toEqual({});
  });
});
