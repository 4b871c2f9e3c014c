import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIntake, type TestIntake } from './test-support/harness.js';
import { largestRequest, wideText } from './test-support/largest-request.js';
import { maxBodyBytes } from './transfers/body-limit.js';

// Small caps keep the largest request small: 3 serials over 2 items.
const caps = { maxSerials: 3, maxItems: 2 };
const limit = maxBodyBytes(caps);

let t: TestIntake;
let writer: string;

beforeAll(async () => {
  t = await startTestIntake(caps);
  await t.addInstance('a'.repeat(64));
  await t.addInstance('b'.repeat(64));
  writer = (await t.mint(['transfers:write'])).token;
});
afterAll(async () => {
  await t?.close();
});

const send = (path: string, raw: string | Buffer, token = writer) =>
  t.call('POST', path, { raw, token, headers: { 'content-type': 'application/json' } });

describe('the body limit follows from the serial and item caps', () => {
  it(`takes the largest request at the caps (${limit} bytes) and refuses one byte more with 413`, async () => {
    const body = JSON.stringify(largestRequest(caps));
    expect(Buffer.byteLength(body)).toBe(limit);

    const before = await t.streamCount();
    const over = await send('/v1/transfers', `${body} `);
    expect(over.status).toBe(413);
    expect(over.body).toEqual({
      error: 'body_too_large',
      message: `the body is larger than this route takes (${limit.toLocaleString('en')} bytes): a transfer takes at most 3 serials and 2 items: split it into several transfers`,
      limit_bytes: limit,
    });
    expect(await t.streamCount()).toBe(before);

    const at = await send('/v1/transfers', body);
    expect(at.status).toBe(202);
    expect(await t.streamCount()).toBe(before + 1);
  });

  it('refuses a body over the limit even without Content-Length (chunked)', async () => {
    const body = `${JSON.stringify(largestRequest(caps))} `;
    const response = await fetch(`${t.url}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it('applies the same limit to the plan route and the admin preflight', async () => {
    const body = `${JSON.stringify(largestRequest(caps))} `;
    expect((await send('/api/v1/workflow/start-workflow/', body)).status).toBe(413);
    expect((await send('/v1/admin/preflight', body, t.admin)).status).toBe(413);
  });

  it('answers a request over the caps but under the limit with 400 at items', async () => {
    const body = largestRequest({ maxSerials: 2, maxItems: 1 }) as { items: Array<Record<string, unknown>> };
    const item = body.items[0] as { serials: string[]; qty: number };
    item.serials = [...item.serials, wideText(11, 1), wideText(11, 2)];
    item.qty = 4;
    const text = JSON.stringify(body);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(limit);
    const answer = await send('/v1/transfers', text);
    expect(answer.status).toBe(400);
    expect(answer.body.problems).toEqual([
      {
        path: 'items',
        message: 'carry 4 serials in all; a transfer takes at most 3: split it into several transfers',
      },
    ]);
  });

  it('lets an unauthenticated caller learn nothing: 401 before the body is read', async () => {
    const answer = await send('/v1/transfers', `${JSON.stringify(largestRequest(caps))} `, 'not-a-token');
    expect(answer.status).toBe(401);
  });
});
