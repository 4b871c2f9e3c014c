import { DEMO_TRANSFER_PARTIES } from '@interco/bus/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { uniquePrefix } from './test-support/requests.js';

const ROUTE = '/api/v1/workflow/start-workflow/';

let t: TestIntake;
let writer: { token: string; id: string };

beforeAll(async () => {
  t = await startTestIntake({ statusBaseUrl: 'https://tracker.example/' });
  await t.addInstance('1');
  await t.addInstance('2');
  writer = await t.mint(['transfers:write']);
});
afterAll(async () => {
  await t?.close();
});

/** The plan's example request (numeric instance ids), with fresh serials. */
function planBody() {
  const prefix = uniquePrefix();
  return {
    ...DEMO_TRANSFER_PARTIES,
    company_a_instance_id: 1,
    company_b_instance_id: 2,
    items: [{ item_code: 'PIN-001', qty: 2, rate: '10.50', serials: [`${prefix}-1`, `${prefix}-2`] }],
  };
}

const postPlan = (body: unknown, authorization: string | undefined) =>
  t.call('POST', ROUTE, { body, token: null, headers: authorization === undefined ? {} : { authorization } });

describe('the original plan’s route', () => {
  it('takes the plan’s request with "Authorization: Token <key>" and answers message and execution_id', async () => {
    const before = await t.streamCount();
    const answer = await postPlan(planBody(), `Token ${writer.token}`);
    expect(answer.status).toBe(202);
    const id = String(answer.body.transfer_id);
    expect(answer.body).toEqual({
      message: 'Transfer accepted',
      execution_id: id,
      transfer_id: id,
      status_url: `https://tracker.example/v1/transfers/${id}`,
    });
    expect(await t.streamCount()).toBe(before + 1);
    const event = (await t.events()).map(({ event }) => event).find((e) => e.transferid === id);
    expect(event).toMatchObject({
      type: 'transfer.requested',
      actor: writer.id,
      data: { instances: { a: '1', b: '2' } },
    });
  });

  it('takes Bearer too, in any case of the scheme', async () => {
    expect((await postPlan(planBody(), `Bearer ${writer.token}`)).status).toBe(202);
    expect((await postPlan(planBody(), `token ${writer.token}`)).status).toBe(202);
  });

  it('refuses a missing or wrong key with 401 naming both schemes, nothing published', async () => {
    const before = await t.streamCount();
    for (const header of [undefined, 'Token ', 'Token nope', `Token ${writer.token}x`]) {
      const answer = await postPlan(planBody(), header);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        error: 'unauthorized',
        message:
          'a valid API token is required: send it as "Authorization: Bearer <token>" (or, on this route, "Authorization: Token <token>")',
      });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="interco", Token realm="interco"');
    }
    expect(await t.streamCount()).toBe(before);
  });

  it('validates like POST /v1/transfers', async () => {
    const body = { ...planBody(), items: [] };
    const answer = await postPlan(body, `Token ${writer.token}`);
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual([{ path: 'items', message: 'must be a list of at least one item' }]);
  });

  it('takes the Token scheme only on the plan’s route', async () => {
    const answer = await t.call('POST', '/v1/transfers', {
      body: planBody(),
      token: null,
      headers: { authorization: `Token ${writer.token}` },
    });
    expect(answer.status).toBe(401);
  });
});
