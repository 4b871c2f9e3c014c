/**
 * The lifecycle consumer against the real nats-server: events it cannot act on are retried with
 * a growing delay and terminated (with an error log) after a bounded number of deliveries,
 * rather than coming back every 2 s for ever.
 */
import { Writable } from 'node:stream';
import { createLogger } from '@interco/service';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { transferBody } from './test-support/requests.js';
import { done } from './test-support/step-events.js';
import { LIFECYCLE_CONSUMER } from './transfers/lifecycle-consumer.js';

let t: TestIntake;
let writer: { token: string };
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line !== '') logs.push(JSON.parse(line));
      callback();
    },
  });
  t = await startTestIntake({
    logger: createLogger('intake', { level: 'info', destination }),
    lifecycleRetry: { firstDelayMs: 100, maxDelayMs: 200, maxDeliveries: 4, missingRecordDeliveries: 2 },
  });
  await t.addInstance('erp-a');
  await t.addInstance('erp-b');
  writer = await t.mint(['transfers:write']);
});
afterAll(async () => {
  await t?.close();
});

async function consumerState() {
  const jsm = await jetstreamManager(t.intake.nc);
  return jsm.consumers.info(t.intake.names.stream, LIFECYCLE_CONSUMER);
}

/** Waits until the lifecycle consumer holds nothing unacked and has nothing left to deliver. */
async function settled(timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const info = await consumerState();
    if (info.num_ack_pending === 0 && info.num_pending === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

const logged = (message: string, transferId: string) =>
  logs.filter((line) => line.msg === message && line.transfer_id === transferId);

describe('intake_lifecycle and events it cannot act on', () => {
  it('terminates, with an error log, an event whose handling keeps failing (a record that does not read), after a bounded number of deliveries with a growing delay', async () => {
    const answer = await t.call('POST', '/v1/transfers', { body: transferBody(), token: writer.token });
    expect(answer.status).toBe(202);
    const id = String(answer.body.transfer_id);
    // the record no longer passes its schema: every handling fails
    const kv = await new Kvm(t.intake.nc).open(t.intake.names.buckets.transfers);
    await kv.put(id, JSON.stringify({ transfer_id: id, status: 'broken' }));
    await t.intake.deps.publish(done('pr_b', id));

    expect(await settled(10_000)).toBe(true);
    const failures = logs.filter(
      (line) => line.transfer_id === id && line.msg === 'lifecycle: handling failed; the event comes again',
    );
    expect(failures.map((line) => [line.delivery, line.retry_in_ms])).toEqual([
      [1, 100],
      [2, 200],
      [3, 200],
    ]);
    const given = logs.filter((line) => line.transfer_id === id && line.level === 'error');
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({ delivery: 4, type: 'pr_b.done' });
    expect(String(given[0]?.msg)).toContain('handling failed 4 times; the event is terminated');
    // and it does not come back
    const delivered = (await consumerState()).delivered.consumer_seq;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await consumerState()).delivered.consumer_seq).toBe(delivered);
  });

  it('terminates, with an error log, an event of a transfer that has no record', async () => {
    const id = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';
    await t.intake.deps.publish(done('pr_b', id));
    expect(await settled(10_000)).toBe(true);
    expect(logged('lifecycle: the transfer has no record (yet?); the event comes again', id)).toHaveLength(1);
    expect(logged('lifecycle: the transfer has no record; the event is terminated', id)).toMatchObject([
      { level: 'error', delivery: 2 },
    ]);
  });

  it('still marks a transfer completed on the first delivery', async () => {
    const answer = await t.call('POST', '/v1/transfers', { body: transferBody(), token: writer.token });
    const id = String(answer.body.transfer_id);
    await t.intake.deps.publish(done('pr_b', id));
    expect(await settled(10_000)).toBe(true);
    expect((await t.intake.deps.transfers.get(id))?.record.status).toBe('completed');
  });
});
