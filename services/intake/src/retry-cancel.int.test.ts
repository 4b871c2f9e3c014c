import { type SerialReservations, type TransferRecord, TransferStore } from '@interco/bus';
import type { IntercoEvent } from '@interco/contracts';
import { TimeoutError } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeDeps } from './deps.js';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { serialAt, serialsOf, transferBody } from './test-support/requests.js';
import { cancelFailed, compensation, completion, done, failed } from './test-support/step-events.js';
import { RECLAIM_STALE_MS } from './transfers/decide-retry-cancel.js';
import { applyLifecycleEvent } from './transfers/lifecycle-consumer.js';

let t: TestIntake;
let writer: { token: string; id: string };
let transfers: TransferStore;

beforeAll(async () => {
  t = await startTestIntake();
  await t.addInstance('erp-a');
  await t.addInstance('erp-b');
  writer = await t.mint(['transfers:write']);
  transfers = await TransferStore.open(t.intake.nc, t.intake.names);
});
afterAll(async () => {
  await t?.close();
});

async function request(body = transferBody()): Promise<string> {
  const answer = await t.call('POST', '/v1/transfers', { body, token: writer.token });
  expect(answer.status).toBe(202);
  return String(answer.body.transfer_id);
}

async function publish(...events: IntercoEvent[]): Promise<void> {
  for (const event of events) await t.intake.deps.publish(event);
}

const act = (id: string, action: 'retry' | 'cancel', body?: unknown) =>
  t.call('POST', `/v1/transfers/${id}/${action}`, {
    token: writer.token,
    ...(body === undefined ? {} : { body }),
  });

async function record(id: string): Promise<TransferRecord> {
  const found = await transfers.get(id);
  if (found === undefined) throw new Error(`no record ${id}`);
  return found.record;
}

/** intake's deps, writable: a test swaps a store or the publish for one that fails or waits. */
function mutableDeps(): { -readonly [K in keyof IntakeDeps]: IntakeDeps[K] } {
  return t.intake.deps;
}

/** Runs `body` with `key` of intake's deps replaced, then puts it back. */
async function withDep<K extends keyof IntakeDeps, T>(
  key: K,
  replacement: IntakeDeps[K],
  body: () => Promise<T>,
): Promise<T> {
  const deps = mutableDeps();
  const real = deps[key];
  deps[key] = replacement;
  try {
    return await body();
  } finally {
    deps[key] = real;
  }
}

const reservations = () => t.intake.deps.reservations as SerialReservations;

/** Who holds each serial of a body (transfer id and generation; undefined when free). */
async function holdings(body: { items: Array<{ serials: string[] }> }) {
  return Promise.all(
    serialsOf(body).map((serial) => reservations().holding(t.intake.deps.digester.digest(serial))),
  );
}

const failingPublish = async (): Promise<never> => {
  throw new TimeoutError();
};

async function eventsOf(id: string) {
  return (await t.events()).map(({ event }) => event).filter((event) => event.transferid === id);
}

/** Waits until the lifecycle consumer has moved the record to `status`. */
async function recordBecomes(id: string, status: TransferRecord['status']): Promise<TransferRecord> {
  for (let i = 0; i < 100; i++) {
    const current = await record(id);
    if (current.status === status) return current;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`record ${id} did not become ${status}`);
}

describe('POST /v1/transfers/{id}/retry', () => {
  it('refuses a transfer that has not failed, saying why', async () => {
    const id = await request();
    const before = await t.streamCount();
    const answer = await act(id, 'retry');
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({
      error: 'transfer_state',
      message: `transfer ${id} is pending: only a failed transfer, or one whose cancel failed, can be retried`,
    });
    expect(await t.streamCount()).toBe(before);
  });

  it('re-drives the failed step in a new generation, once', async () => {
    const id = await request();
    await publish(done('po_a', id), failed('pr_a', id));
    const answer = await act(id, 'retry', { reason: 'item enabled again' });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ transfer_id: id, generation: 2, status_url: `/v1/transfers/${id}` });
    expect(await record(id)).toMatchObject({ status: 'active', generation: 2 });
    const last = (await eventsOf(id)).at(-1);
    expect(last).toMatchObject({
      type: 'transfer.retry_requested',
      generation: 2,
      actor: writer.id,
      source: 'interco/intake',
      data: { step: 'pr_a', reason: 'item enabled again' },
    });

    const again = await act(id, 'retry');
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(
      `transfer ${id} is in progress: only a failed transfer, or one whose cancel failed, can be retried`,
    );
  });

  it('runs the compensation again when the cancel failed', async () => {
    const id = await request();
    expect((await act(id, 'cancel')).status).toBe(202);
    await publish(cancelFailed('pr_b', id, 2));
    const answer = await act(id, 'retry');
    expect(answer.status).toBe(202);
    expect(answer.body.generation).toBe(3);
    expect(await record(id)).toMatchObject({ status: 'cancelling', generation: 3 });
    expect((await eventsOf(id)).at(-1)).toMatchObject({ type: 'transfer.cancel_requested', generation: 3 });
  });

  it('answers 404 for an unknown transfer and 400 for a malformed id', async () => {
    const unknown = await act('tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B', 'retry');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: 'not_found',
      message: 'there is no transfer tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
    });
    const malformed = await act('nope', 'retry');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: 'invalid_request', problems: [{ path: 'id' }] });
    const badBody = await act(await request(), 'retry', { reason: 5, extra: true });
    expect(badBody.status).toBe(400);
    expect(badBody.body.problems).toEqual([
      { path: 'extra', message: 'is not a known field' },
      { path: 'reason', message: 'must be a string' },
    ]);
  });
});

describe('POST /v1/transfers/{id}/cancel', () => {
  it('cancels an active transfer in a new generation; a second cancel is refused', async () => {
    const id = await request();
    await publish(done('po_a', id));
    const answer = await act(id, 'cancel', { reason: 'ordered by mistake' });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ transfer_id: id, generation: 2, status_url: `/v1/transfers/${id}` });
    expect(await record(id)).toMatchObject({ status: 'cancelling', generation: 2 });
    expect((await eventsOf(id)).at(-1)).toMatchObject({
      type: 'transfer.cancel_requested',
      generation: 2,
      actor: writer.id,
      data: { reason: 'ordered by mistake' },
    });

    const before = await t.streamCount();
    const again = await act(id, 'cancel');
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(
      `transfer ${id} is being cancelled already (if its cancel fails, retry it with POST /v1/transfers/${id}/retry)`,
    );
    expect(await t.streamCount()).toBe(before);
  });

  it('publishes a cancel the record holds but the stream lacks (a publish that failed), same generation', async () => {
    const id = await request();
    await transfers.update(id, (current) => ({ ...current, status: 'cancelling', generation: 2 }));
    const answer = await act(id, 'cancel');
    expect(answer.status).toBe(202);
    expect(answer.body.generation).toBe(2);
    expect((await eventsOf(id)).at(-1)).toMatchObject({ type: 'transfer.cancel_requested', generation: 2 });
    expect((await act(id, 'cancel')).status).toBe(409);
  });

  it('marks a cancelled transfer cancelled and frees its serials (lifecycle consumer); cancel then answers 409', async () => {
    const body = transferBody();
    const id = await request(body);
    expect((await act(id, 'cancel')).status).toBe(202);
    await publish(...compensation(id, 2));
    await recordBecomes(id, 'cancelled');
    // its serials are free again
    const again = await request(body);
    expect(again).not.toBe(id);
    const answer = await act(id, 'cancel');
    expect(answer.status).toBe(409);
    expect(answer.body.message).toBe(`transfer ${id} is cancelled already`);
  });

  it('cancels a completed transfer after reserving its serials again', async () => {
    const body = transferBody();
    const id = await request(body);
    await publish(...completion(id));
    await recordBecomes(id, 'completed');
    const answer = await act(id, 'cancel');
    expect(answer.status).toBe(202);
    expect(await record(id)).toMatchObject({ status: 'cancelling', generation: 2 });
    // the serials are held again: another transfer with one of them is refused
    const clash = transferBody();
    (clash.items[0] as { serials: string[] }).serials[0] = body.items[0]?.serials[0] as string;
    const refused = await t.call('POST', '/v1/transfers', { body: clash, token: writer.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('serials_in_use');
  });

  it('refuses to cancel a completed transfer whose serials another transfer took meanwhile (409 naming them)', async () => {
    const body = transferBody();
    const id = await request(body);
    await publish(...completion(id));
    const completed = await recordBecomes(id, 'completed');
    const taken = body.items[1]?.serials[1] as string;
    const other = transferBody();
    (other.items[0] as { serials: string[] }).serials[0] = taken;
    const otherId = await request(other);

    const before = await t.streamCount();
    const answer = await act(id, 'cancel');
    expect(answer.status).toBe(409);
    // how many and which transfers hold them, never the serials (the caller did not send them)
    expect(answer.body).toEqual({
      error: 'serials_in_use',
      message: `1 serial of transfer ${id} is in another active transfer now (held_by): cancelling a completed transfer takes its serials back, so that transfer must complete or be cancelled first`,
      count: 1,
      held_by: [otherId],
    });
    expect(answer.text).not.toContain(taken);
    expect(await record(id)).toMatchObject({ ...completed, updated_at: expect.any(String) });
    expect(await t.streamCount()).toBe(before);
    // the serials it had taken back are free again, and the cancel can be asked again later
    expect((await holdings(body)).filter((holding) => holding?.transferId === id)).toEqual([]);
  });

  it("a transfer requested while a cancel takes a completed transfer's serials back cannot take them (the record is reclaiming first)", async () => {
    const body = transferBody();
    const id = await request(body);
    await publish(...completion(id));
    await recordBecomes(id, 'completed');
    const clash = transferBody();
    (clash.items[0] as { serials: string[] }).serials[0] = serialAt(body, 1, 0);

    const real = reservations();
    let clashAnswer: Awaited<ReturnType<typeof act>> | undefined;
    const answer = await withDep(
      'reservations',
      {
        reserve: async (transferId, digests, generation) => {
          const result = await real.reserve(transferId, digests, generation);
          // the cancel has taken the serials back, and not yet moved the record to cancelling
          if (transferId === id && clashAnswer === undefined) {
            clashAnswer = await t.call('POST', '/v1/transfers', { body: clash, token: writer.token });
          }
          return result;
        },
        release: (transferId, digests, options) => real.release(transferId, digests, options),
      },
      () => act(id, 'cancel'),
    );
    expect(answer.status).toBe(202);
    expect(clashAnswer?.status).toBe(409);
    expect(clashAnswer?.body).toMatchObject({ error: 'serials_in_use', held_by: [id] });
    expect(await record(id)).toMatchObject({ status: 'cancelling', generation: 2 });
    for (const holding of await holdings(body)) expect(holding).toEqual({ transferId: id, generation: 2 });
  });

  it('two cancels of one completed transfer at once: one goes on, the other is refused, and the serials stay held', async () => {
    const body = transferBody();
    const id = await request(body);
    await publish(...completion(id));
    await recordBecomes(id, 'completed');

    // Each reserve of this transfer waits (up to a second) for the other cancel to get there too.
    const real = reservations();
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothThere = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answers = await withDep(
      'reservations',
      {
        reserve: async (transferId, digests, generation) => {
          if (transferId === id) {
            arrived++;
            if (arrived === 2) release();
            await Promise.race([bothThere, new Promise((resolve) => setTimeout(resolve, 1_000))]);
          }
          return real.reserve(transferId, digests, generation);
        },
        release: (transferId, digests, options) => real.release(transferId, digests, options),
      },
      () => Promise.all([act(id, 'cancel'), act(id, 'cancel')]),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    expect(await record(id)).toMatchObject({ status: 'cancelling', generation: 2 });
    for (const holding of await holdings(body)) expect(holding).toEqual({ transferId: id, generation: 2 });
    expect((await eventsOf(id)).filter((event) => event.type === 'transfer.cancel_requested')).toHaveLength(
      1,
    );
  });
});

describe('the lifecycle consumer and a cancel of a completed transfer', () => {
  it('a pr_b.done handled from a view older than the cancel (or redelivered) frees none of the serials the cancel took back', async () => {
    const body = transferBody();
    const id = await request(body);
    await publish(...completion(id));
    const completed = await recordBecomes(id, 'completed');
    expect((await act(id, 'cancel')).status).toBe(202);
    for (const holding of await holdings(body)) expect(holding).toEqual({ transferId: id, generation: 2 });

    // The consumer read the record while it was still completed at generation 1 and releases now.
    const staleView = {
      ...t.intake.deps,
      transfers: { update: async () => ({ record: completed, revision: 1 }) },
    };
    expect(await applyLifecycleEvent(staleView, done('pr_b', id))).toBe('released');
    // A redelivery against the real record is stale.
    expect(await applyLifecycleEvent(t.intake.deps, done('pr_b', id))).toBe('stale');
    for (const holding of await holdings(body)) expect(holding).toEqual({ transferId: id, generation: 2 });
    const clash = transferBody();
    (clash.items[0] as { serials: string[] }).serials[0] = serialAt(body, 0, 1);
    const refused = await t.call('POST', '/v1/transfers', { body: clash, token: writer.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'serials_in_use', held_by: [id] });

    // the cancel's own end frees them
    await publish(...compensation(id, 2));
    await recordBecomes(id, 'cancelled');
    for (let i = 0; i < 100 && (await holdings(body)).some((holding) => holding !== undefined); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await holdings(body)).toEqual(serialsOf(body).map(() => undefined));
  });
});

describe('a retry or cancel whose event could not be published', () => {
  it('a retry: 503 saying it is recorded; asking again publishes its event at the same generation, once', async () => {
    const id = await request();
    await publish(done('po_a', id), failed('pr_a', id));
    const first = await withDep('publish', failingPublish, () => act(id, 'retry', { reason: 'fixed' }));
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(first.body).toEqual({
      error: 'unavailable',
      message: `the retry of transfer ${id} is recorded (generation 2), but the message bus did not take its event just now: repeat this request to finish it`,
      transfer_id: id,
      generation: 2,
    });
    expect(await record(id)).toMatchObject({ status: 'active', generation: 2 });
    expect((await eventsOf(id)).some((event) => event.type === 'transfer.retry_requested')).toBe(false);

    const again = await act(id, 'retry');
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ transfer_id: id, generation: 2 });
    const retries = (await eventsOf(id)).filter((event) => event.type === 'transfer.retry_requested');
    expect(retries).toMatchObject([{ generation: 2, data: { step: 'pr_a' }, actor: writer.id }]);
    expect(await record(id)).toMatchObject({ status: 'active', generation: 2 });
    // now the retry is under way: a third ask is refused
    expect((await act(id, 'retry')).status).toBe(409);
  });

  it('a cancel of a completed transfer: 503 saying it is recorded; asking again publishes it, same generation', async () => {
    const body = transferBody();
    const id = await request(body);
    await publish(...completion(id));
    await recordBecomes(id, 'completed');
    const first = await withDep('publish', failingPublish, () => act(id, 'cancel'));
    expect(first.status).toBe(503);
    expect(first.body.message).toBe(
      `the cancel of transfer ${id} is recorded (generation 2), but the message bus did not take its event just now: repeat this request to finish it`,
    );
    expect(await record(id)).toMatchObject({ status: 'cancelling', generation: 2 });
    const again = await act(id, 'cancel');
    expect(again.status).toBe(202);
    expect(again.body.generation).toBe(2);
    expect((await eventsOf(id)).filter((event) => event.type === 'transfer.cancel_requested')).toMatchObject([
      { generation: 2 },
    ]);
    for (const holding of await holdings(body)) expect(holding).toEqual({ transferId: id, generation: 2 });
  });

  it('a retry of a failed transfer whose cancel is recorded but not published says it is being cancelled', async () => {
    const id = await request();
    await publish(failed('po_a', id));
    expect((await withDep('publish', failingPublish, () => act(id, 'cancel'))).status).toBe(503);
    const answer = await act(id, 'retry');
    expect(answer.status).toBe(409);
    expect(answer.body.message).toBe(
      `transfer ${id} is being cancelled: a transfer being cancelled is not retried`,
    );
    // the cancel, asked again, is published
    expect((await act(id, 'cancel')).status).toBe(202);
    expect((await eventsOf(id)).at(-1)).toMatchObject({ type: 'transfer.cancel_requested', generation: 2 });
  });
});

describe("intake's start: the request events records stand for and the stream lacks", () => {
  it('publishes them (a retry, a cancel, a transfer accepted but unconfirmed) and gives a stale reclaim back', async () => {
    const retried = await request();
    await publish(done('po_a', retried), failed('pr_a', retried));
    await transfers.update(retried, (current) => ({ ...current, status: 'active', generation: 2 }));
    const cancelled = await request();
    await transfers.update(cancelled, (current) => ({ ...current, status: 'cancelling', generation: 2 }));
    const unconfirmed = await withDep('publish', failingPublish, () =>
      t.call('POST', '/v1/transfers', { body: transferBody(), token: writer.token }),
    );
    expect(unconfirmed.status).toBe(503);
    const accepted = String(unconfirmed.body.transfer_id);
    expect(await record(accepted)).toMatchObject({ status: 'active', generation: 1 });
    const reclaimed = await request();
    await publish(...completion(reclaimed));
    await recordBecomes(reclaimed, 'completed');
    const stale = new Date(Date.now() - RECLAIM_STALE_MS - 1000).toISOString();
    await transfers.update(reclaimed, (current) => ({ ...current, status: 'reclaiming', updated_at: stale }));

    // another intake of the deployment (same namespace, same key) starts
    const second = await startTestIntake({ namespace: t.intake.names.subjectPrefix, box: t.box });
    try {
      for (let i = 0; i < 100; i++) {
        const types = [retried, cancelled, accepted].map(async (id) => (await eventsOf(id)).at(-1)?.type);
        const last = await Promise.all(types);
        if (
          last.join() === 'transfer.retry_requested,transfer.cancel_requested,transfer.requested' &&
          (await record(reclaimed)).status === 'completed'
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await second.close();
    }
    expect((await eventsOf(retried)).at(-1)).toMatchObject({
      type: 'transfer.retry_requested',
      generation: 2,
      data: { step: 'pr_a' },
      actor: 'interco/intake',
    });
    expect((await eventsOf(cancelled)).at(-1)).toMatchObject({
      type: 'transfer.cancel_requested',
      generation: 2,
    });
    const requested = (await eventsOf(accepted)).filter((event) => event.type === 'transfer.requested');
    expect(requested).toEqual([(await record(accepted)).requested_event]);
    expect(await record(reclaimed)).toMatchObject({ status: 'completed', generation: 1 });
  });
});
