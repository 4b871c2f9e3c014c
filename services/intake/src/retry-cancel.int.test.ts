import { type TransferRecord, TransferStore } from '@interco/bus';
import type { IntercoEvent } from '@interco/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { transferBody } from './test-support/requests.js';
import { cancelFailed, compensation, completion, done, failed } from './test-support/step-events.js';

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
    await request(other);

    const before = await t.streamCount();
    const answer = await act(id, 'cancel');
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'serials_in_use', count: 1, serials: [taken] });
    expect(answer.body.message).toContain('cancelling a completed transfer takes its serials back');
    expect(await record(id)).toEqual(completed);
    expect(await t.streamCount()).toBe(before);
  });
});
