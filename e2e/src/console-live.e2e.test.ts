/**
 * The console's second pass in headless Chromium against the real stack (docs/console.md,
 * "Second pass: Console"): the token typed into a plain input masked by CSS and checked with
 * whoami; rows that never jump (a transfer changed by the stream is updated where it
 * is, an older one never goes to the top, also one that newly matches the filter); a transfer
 * that becomes stuck without any event is highlighted by the periodic refresh; live rows never
 * wait for the counts, which are asked at most once per 5 s; the transfer page draws only its
 * last read and, after a resync, drops the re-reads an event scheduled; the counts follow the
 * list's filters; the serial search asks the tracker. Slow, older or ended answers are made with
 * Playwright's routing (page.route), so the console has no test switch.
 *
 * The refresh runs every 30 s in the page: the test does not change that; it installs
 * Playwright's clock in the page (time flows normally) and jumps it forward 30 s, so no test
 * switch exists in the console. The tracker's stuck threshold is a tracker setting
 * (TRACKER_STUCK_AFTER_MS), set to a few seconds here through the pipeline's option.
 *
 * po-a starts with no replica: a transfer submitted stays pending (no event after its request)
 * until the test starts one.
 */
import type { APIResponse, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserTestsSkipReason, openBrowser } from './harness/browser.js';
import {
  bodiesContaining,
  signIn,
  textSecurityOf,
  trackerView,
  transferRow,
  waitForTrackerStatus,
} from './harness/console.js';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

const skipReason = browserTestsSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

/** A pending transfer is stuck this long after its last event. */
const STUCK_AFTER_MS = 4000;

let pipeline: Pipeline;
let browser: BrowserSession;
let tracker: string;

suite(`the console's live list in Chromium${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({
      console: true,
      stepReplicas: { po_a: 0 },
      trackerStuckAfterMs: STUCK_AFTER_MS,
    });
    tracker = pipeline.tracker?.url ?? '';
    browser = await openBrowser({ testName: 'console-live' });
    // The page's timers run on a clock the test can move forward (it flows normally otherwise).
    await browser.page.clock.install();
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.close();
  });

  const page = (): Page => browser.page;
  const row = (id: string) => transferRow(page(), id);
  const rowIds = () =>
    page()
      .locator('[data-testid="transfer-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-transfer-id') ?? ''));
  const rowStatus = async (id: string) => ((await row(id).locator('td').nth(1).textContent()) ?? '').trim();
  const rowClass = async (id: string) => (await row(id).getAttribute('class')) ?? '';
  const live = async () =>
    expect
      .poll(() => page().locator('[data-testid="live-indicator"]').getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toBe('live');

  it('takes the token in a plain input masked by CSS and checks it with whoami', async () => {
    await page().goto(`${tracker}/console/?lang=en`);
    const token = page().locator('[data-testid="sign-in-form"] input[name="token"]');
    await token.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await token.getAttribute('type')).toBe('text');
    expect(await token.getAttribute('autocomplete')).toBe('off');
    expect(await textSecurityOf(token)).toBe('disc');
    // No password field anywhere: the browser's password manager has nothing to save or fill.
    expect(await page().locator('input[type="password"]').count()).toBe(0);
    const from = browser.responses.length;
    await signIn(page(), pipeline.admin);
    await page().locator('[data-testid="status-counts"]').waitFor({ state: 'visible', timeout: 15_000 });
    await live();
    // The token was checked with whoami (not with the counts).
    const asked = browser.responses.slice(from).map((entry) => new URL(entry.url).pathname);
    expect(asked.indexOf('/v1/auth/whoami')).toBeGreaterThanOrEqual(0);
    expect(asked.indexOf('/v1/auth/whoami')).toBeLessThan(
      asked.indexOf('/v1/transfers/counts') === -1
        ? Number.POSITIVE_INFINITY
        : asked.indexOf('/v1/transfers/counts'),
    );
    await browser.screenshot('signed-in');
  });

  let older: string;
  let newer: string;
  it('updates a transfer changed by the stream in its row; an older transfer never moves to the top', async () => {
    older = await pipeline.submit(
      demoTransfer({ perItem: { 'SIM-001': 2 }, reference: 'console live: older' }),
    );
    await row(older).waitFor({ state: 'visible', timeout: 30_000 });
    newer = await pipeline.submit(
      demoTransfer({ perItem: { 'SIM-001': 2 }, reference: 'console live: newer' }),
    );
    await row(newer).waitFor({ state: 'visible', timeout: 30_000 });
    // Both pending (no po-a replica): the newer on top.
    await expect.poll(rowIds, { timeout: 15_000 }).toEqual([newer, older]);
    expect(await rowStatus(older)).toContain('Pending');

    // The older one changes (cancelled: the compensation runs pr-b to pr-a; po-a has no replica,
    // so it stays cancelling): the stream names it, the page re-reads it and updates its row.
    const cancelled = await pipeline.call('POST', `/v1/transfers/${older}/cancel`, {
      reason: 'console live test',
    });
    expect(cancelled.status).toBe(202);
    const samples: string[][] = [];
    const deadline = Date.now() + 30_000;
    while (!(await rowStatus(older)).includes('Cancelling')) {
      if (Date.now() > deadline) throw new Error(`the row of ${older} did not show Cancelling`);
      samples.push(await rowIds());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    samples.push(await rowIds());
    // At no moment did the older transfer go above the newer one, nor the page grow.
    for (const ids of samples) {
      expect(ids[0]).toBe(newer);
      expect(ids.indexOf(older)).toBe(1);
      expect(ids.length).toBe(2);
    }
    await browser.screenshot('changed-in-place');
  });

  it('highlights a transfer that became stuck without any event at the next periodic refresh', async () => {
    // A fresh view (filtered: the transfers at po-a), so its 30 s refresh starts now.
    await page().goto(`${tracker}/console/?lang=en#/transfers?step=po_a`);
    await live();
    const quiet = await pipeline.submit(
      demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: quiet' }),
    );
    // A new transfer that matches the filters: the first page is read again, and shows it.
    await row(quiet).waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => rowStatus(quiet), { timeout: 15_000 }).toContain('Pending');
    expect(await rowClass(quiet)).not.toContain('attention-stuck');
    // No event comes (po-a has no replica): the tracker calls it stuck after STUCK_AFTER_MS.
    await expect
      .poll(async () => (await trackerView(tracker, pipeline.admin, quiet)).stuck, { timeout: 30_000 })
      .toBe(true);
    // The page has had no reason to read it again yet...
    expect(await rowClass(quiet)).not.toContain('attention-stuck');
    // ...until its refresh, 30 s later by the page's clock: the row is highlighted, where it was.
    const before = await rowIds();
    await page().clock.fastForward(30_000);
    await expect.poll(() => rowClass(quiet), { timeout: 15_000 }).toContain('attention-stuck');
    expect(await rowStatus(quiet)).toContain('Stuck');
    expect(await rowIds()).toEqual(before);
    await browser.screenshot('stuck-after-refresh');
  });

  it('reads the list without waiting for the counts: live rows come while the counts are held', async () => {
    // Every counts request is held until the test lets it go (a slow or unavailable count).
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const isCounts = (url: URL) => url.pathname === '/v1/transfers/counts';
    const hold = async (route: Route) => {
      await held;
      await route.continue().catch(() => undefined);
    };
    await page().route(isCounts, hold);
    try {
      await page().goto(`${tracker}/console/?lang=en#/transfers?status=pending`);
      await live();
      await row(newer).waitFor({ state: 'visible', timeout: 15_000 });
      const links = page().locator('[data-testid="status-counts"] a.count-link');
      expect(await links.count()).toBe(0);
      // A new pending transfer: the stream names it, the first page is read again and shows it,
      // all while the counts are still held.
      const fresh = await pipeline.submit(
        demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: counts held' }),
      );
      await row(fresh).waitFor({ state: 'visible', timeout: 30_000 });
      expect(await links.count()).toBe(0);
      release();
      await links.first().waitFor({ state: 'visible', timeout: 15_000 });
    } finally {
      release();
      await page().unroute(isCounts, hold);
    }
  });

  it('asks the counts at most once per 5 s, the first read included, the last ask always sent', async () => {
    const asked: number[] = [];
    const onRequest = (request: Request) => {
      if (new URL(request.url()).pathname === '/v1/transfers/counts') asked.push(Date.now());
    };
    page().on('request', onRequest);
    try {
      await page().goto(`${tracker}/console/?lang=en#/transfers?step=po_a`);
      await live();
      await expect.poll(() => asked.length, { timeout: 15_000 }).toBeGreaterThan(0);
      // Events right after the first read (a new transfer at po-a: its request, a re-read).
      const first = await pipeline.submit(
        demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: throttle 1' }),
      );
      await row(first).waitFor({ state: 'visible', timeout: 30_000 });
      // The ask the events made is sent at the end of the interval, not at once.
      await expect.poll(() => asked.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      const gaps = asked.slice(1).map((time, index) => time - (asked[index] as number));
      // A little less than 5 s: the page's timer and the test's clock are not the same clock.
      for (const gap of gaps) expect(gap).toBeGreaterThan(4500);
    } finally {
      page().off('request', onRequest);
    }
  });

  it('puts an older transfer that newly matches the filter in its created_at place, never on top', async () => {
    // Three pending transfers, created in this order.
    const [first, second, third] = [
      await pipeline.submit(demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: order 1' })),
      await pipeline.submit(demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: order 2' })),
      await pipeline.submit(demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: order 3' })),
    ];
    const cancel = async (id: string) =>
      expect(
        (await pipeline.call('POST', `/v1/transfers/${id}/cancel`, { reason: 'order test' })).status,
      ).toBe(202);
    // The first page of the cancelling transfers: `older` (cancelled above), then the first and
    // the third once cancelled (po-a has no replica: they stay cancelling).
    await page().goto(`${tracker}/console/?lang=en#/transfers?status=cancelling`);
    await live();
    await row(older).waitFor({ state: 'visible', timeout: 15_000 });
    await cancel(first);
    await cancel(third);
    const ours = async () => (await rowIds()).filter((id) => [older, first, second, third].includes(id));
    await expect.poll(ours, { timeout: 30_000 }).toEqual([third, first, older]);

    // The second, created before the top row, now matches: the first page is read again and it
    // sits between the third and the first; at no moment is it on top or the page over its size.
    await cancel(second);
    const samples: string[][] = [];
    const deadline = Date.now() + 30_000;
    while ((await row(second).count()) === 0) {
      if (Date.now() > deadline) throw new Error(`${second} did not appear on the cancelling page`);
      samples.push(await rowIds());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    samples.push(await rowIds());
    for (const ids of samples) {
      expect(ids[0]).not.toBe(second);
      expect(ids.length).toBeLessThanOrEqual(50);
    }
    expect(await ours()).toEqual([third, second, first, older]);
    expect((await rowIds())[0]).not.toBe(second);
    await browser.screenshot('older-in-its-place');
  });

  it('draws the last read of a transfer asked, never an older answer that arrives after it', async () => {
    const id = await pipeline.submit(
      demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: reads in order' }),
    );
    await waitForTrackerStatus(tracker, pipeline.admin, id, 'pending');
    // The page's first read answers as usual (pending) and is kept; the second read (after the
    // cancel) is held and then answered with that first, older view: a slow answer overtaken by
    // the next read.
    let reads = 0;
    let firstAnswer: APIResponse | undefined;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let heldAnswered = false;
    const isTransfer = (url: URL) => url.pathname === `/v1/transfers/${id}`;
    const answer = async (route: Route) => {
      reads++;
      if (reads === 1) {
        firstAnswer = await route.fetch();
        await route.fulfill({ response: firstAnswer });
      } else if (reads === 2 && firstAnswer !== undefined) {
        await held;
        await route.fulfill({ response: firstAnswer }).catch(() => undefined);
        heldAnswered = true;
      } else await route.continue().catch(() => undefined);
    };
    await page().route(isTransfer, answer);
    try {
      await page().goto(`${tracker}/console/?lang=en#/transfers/${id}`);
      const status = page().locator('.transfer-header .badge[class*="status-"]').first();
      await expect
        .poll(async () => (await status.textContent()) ?? '', { timeout: 15_000 })
        .toContain('Pending');
      // Cancel: the event it makes has the page read the transfer (held); closing the dialog
      // reads it again (answered: cancelling).
      await page().locator('[data-testid="cancel-button"]').click();
      const dialog = page().locator('[data-testid="confirm-dialog"]');
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(() => reads, { timeout: 15_000 }).toBe(2);
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(() => reads, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      await expect
        .poll(async () => (await status.textContent()) ?? '', { timeout: 15_000 })
        .toContain('Cancelling');
      // The held read now answers with the older view: the page keeps the newer one.
      release();
      await expect.poll(() => heldAnswered, { timeout: 5_000 }).toBe(true);
      const seen: string[] = [];
      for (let sample = 0; sample < 10; sample++) {
        seen.push((await status.textContent()) ?? '');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen.filter((text) => !text.includes('Cancelling'))).toEqual([]);
    } finally {
      release();
      await page().unroute(isTransfer, answer);
    }
  });

  it('after a reconnection that cannot resume, reads the transfer once and drops the re-reads an event scheduled', async () => {
    const id = await pipeline.submit(
      demoTransfer({ perItem: { 'SIM-001': 1 }, reference: 'console live: resync' }),
    );
    await waitForTrackerStatus(tracker, pipeline.admin, id, 'pending');
    // The page's first stream brings one event without an id, dated far ahead (so the page keeps
    // re-reading: its read model looks behind), then ends: the reconnection cannot resume (no id),
    // a resync. The second stream is the tracker's own.
    const lives: number[] = [];
    const reads: number[] = [];
    const onRequest = (request: Request) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/live') lives.push(Date.now());
      if (url.pathname === `/v1/transfers/${id}`) reads.push(Date.now());
    };
    const event = {
      transfer_id: id,
      type: 'po_a.waiting',
      time: '2099-01-01T00:00:00.000Z',
      generation: 1,
      seq: 99,
    };
    let streams = 0;
    const isLive = (url: URL) => url.pathname === '/v1/live';
    const stream = async (route: Route) => {
      streams++;
      if (streams > 1) {
        await route.continue().catch(() => undefined);
        return;
      }
      await route.fulfill({
        status: 200,
        contentType: 'text/event-stream',
        body: `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
      });
    };
    page().on('request', onRequest);
    await page().route(isLive, stream);
    try {
      await page().goto(`${tracker}/console/?lang=en#/transfers/${id}`);
      await expect.poll(() => lives.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      const resync = lives[1] as number;
      // The event's re-reads (0.3 s, then 0.7, 1.5, 3 s later while behind) would go on past the
      // resync; the resync replaces them with one read.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      expect(reads.filter((time) => time > resync + 1000)).toEqual([]);
      expect(reads.filter((time) => time >= resync).length).toBeGreaterThanOrEqual(1);
    } finally {
      page().off('request', onRequest);
      await page().unroute(isLive, stream);
    }
  });

  it('on a later page, counts as new only the transfers created after the stream opened, not its replays', async () => {
    // The stream says where it opened (`x-interco-last-seq: <n>`) and, as a new stream does,
    // first sends an older event (a replay: sequence ≤ n) before a newer one. Both name a
    // transfer.requested of a real transfer; only the one after the open is "new".
    const lastSeq = 1_000_000;
    const requested = (transferId: string, seq: number) =>
      `id: ${seq}\nevent: transfer.requested\ndata: ${JSON.stringify({
        transfer_id: transferId,
        type: 'transfer.requested',
        time: '2000-01-01T00:00:00.000Z',
        generation: 1,
        seq,
      })}\n\n`;
    let streams = 0;
    const isLive = (url: URL) => url.pathname === '/v1/live';
    const stream = async (route: Route) => {
      streams++;
      if (streams === 1)
        await route.fulfill({
          status: 200,
          contentType: 'text/event-stream',
          headers: { 'x-interco-last-seq': String(lastSeq) },
          body: `: connected last_seq=${lastSeq}\n\n${requested(older, lastSeq - 1)}${requested(newer, lastSeq + 1)}`,
        });
      else await route.abort().catch(() => undefined);
    };
    // A later page (a cursor), answered empty: neither transfer is on it.
    const isLaterPage = (url: URL) => url.pathname === '/v1/transfers' && url.searchParams.has('cursor');
    const laterPage = async (route: Route) =>
      route.fulfill({ status: 200, json: { transfers: [], next_cursor: null } }).catch(() => undefined);
    const reads: string[] = [];
    const onRequest = (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (path === `/v1/transfers/${older}` || path === `/v1/transfers/${newer}`) reads.push(path);
    };
    page().on('request', onRequest);
    await page().route(isLive, stream);
    await page().route(isLaterPage, laterPage);
    try {
      await page().goto(`${tracker}/console/?lang=en#/transfers?cursor=console-live-later`);
      const banner = page().locator('[data-testid="new-transfers"]');
      await banner.waitFor({ state: 'visible', timeout: 15_000 });
      // Both were re-read (the replay still updates a row it is on), only one is counted.
      await expect.poll(() => new Set(reads).size, { timeout: 15_000 }).toBe(2);
      await browser.settled();
      expect((await banner.textContent()) ?? '').toContain('1 new transfers');
    } finally {
      page().off('request', onRequest);
      await page().unroute(isLive, stream);
      await page().unroute(isLaterPage, laterPage);
    }
  });

  it('when a resume is refused (400: the id is too old), drops the id, opens again without it and reads the list again', async () => {
    const asked: (string | undefined)[] = [];
    const lists: number[] = [];
    const onRequest = (request: Request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/v1/live') asked.push(request.headers()['last-event-id']);
      if (path === '/v1/transfers') lists.push(asked.length);
    };
    let streams = 0;
    const isLive = (url: URL) => url.pathname === '/v1/live';
    const stream = async (route: Route) => {
      streams++;
      if (streams === 1)
        // One event with an id, then the stream ends: the console resumes from that id.
        await route.fulfill({
          status: 200,
          contentType: 'text/event-stream',
          headers: { 'x-interco-last-seq': '7' },
          body: `: connected last_seq=7\n\nid: 7\nevent: po_a.waiting\ndata: ${JSON.stringify({
            transfer_id: older,
            type: 'po_a.waiting',
            time: '2000-01-01T00:00:00.000Z',
            generation: 1,
            seq: 7,
          })}\n\n`,
        });
      else if (streams === 2)
        await route.fulfill({
          status: 400,
          json: { error: 'invalid_request', message: 'Last-Event-ID is more than 1,000 events old' },
        });
      else await route.continue().catch(() => undefined);
    };
    page().on('request', onRequest);
    await page().route(isLive, stream);
    try {
      await page().goto(`${tracker}/console/?lang=en#/transfers`);
      await expect.poll(() => asked.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      expect(asked.slice(0, 3)).toEqual([undefined, '7', undefined]);
      await live();
      // The list was read after the first stream opened, and again once the third was open.
      await expect
        .poll(() => lists.filter((streamsAsked) => streamsAsked >= 3).length, { timeout: 15_000 })
        .toBeGreaterThanOrEqual(1);
      expect(lists.filter((streamsAsked) => streamsAsked === 1).length).toBeGreaterThanOrEqual(1);
    } finally {
      page().off('request', onRequest);
      await page().unroute(isLive, stream);
    }
  });

  it('says in Cancel’s confirmation what happens to the document a running step may be writing', async () => {
    // `newer` is pending at po-a (no replica): po-a may be writing its order.
    await page().goto(`${tracker}/console/?lang=en#/transfers/${newer}`);
    await page().locator('[data-testid="cancel-button"]').click();
    const dialog = page().locator('[data-testid="confirm-dialog"]');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const running = (await dialog.locator('[data-testid="cancel-running-step"]').textContent()) ?? '';
    expect(running).toContain('may be writing to ERPNext right now');
    expect(running).toContain('cancelled with the others');
    await browser.screenshot('cancel-running-step');
    await dialog.getByRole('button', { name: 'No, go back' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('asks for both credentials again when an instance’s base URL changes, before sending anything', async () => {
    await page().goto(`${tracker}/console/?lang=en#/instances`);
    const instance = page().locator('[data-testid="instances-table"] tr[data-instance-id="company-a"]');
    await instance.waitFor({ state: 'visible', timeout: 15_000 });
    await instance.getByRole('button', { name: 'Edit company-a' }).click();
    const form = page().locator('[data-testid="instance-form"]');
    await form.waitFor({ state: 'visible' });
    // The credentials: CSS-masked text inputs, empty (never filled with the stored ones).
    for (const name of ['api_key', 'api_secret']) {
      const field = form.locator(`input[name="${name}"]`);
      expect(await field.getAttribute('type')).toBe('text');
      expect(await field.getAttribute('autocomplete')).toBe('off');
      expect(await textSecurityOf(field)).toBe('disc');
      expect(await field.inputValue()).toBe('');
    }
    const from = browser.responses.length;
    await form.locator('input[name="base_url"]').fill('http://127.0.0.1:9/elsewhere');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await form.textContent()) ?? '', { timeout: 5_000 })
      .toContain('changing the base URL needs the API key and the API secret again');
    expect(browser.responses.slice(from).filter((entry) => entry.method === 'PUT')).toEqual([]);
    await browser.screenshot('instance-new-url');
    await form.getByRole('button', { name: 'Discard' }).click();
  });

  it('asks before Prepare, saying what it creates in ERPNext and on which instance', async () => {
    const instance = page().locator('[data-testid="instances-table"] tr[data-instance-id="company-a"]');
    await instance.getByRole('button', { name: 'Prepare company-a' }).click();
    const dialog = page().locator('[data-testid="confirm-dialog"]');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('company-a');
    expect(text).toContain(pipeline.a.url);
    expect(text).toContain('custom_interco_marker');
    expect(text).toContain('creates no document');
    await browser.screenshot('prepare-confirm');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(async () => (await dialog.textContent()) ?? '', { timeout: 15_000 })
      .toContain('company-a: prepared.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await page().locator('[data-testid="instance-outcome"]').textContent()) ?? '').toContain(
      'already',
    );
  });

  // Needs the tracker of the second pass (counts with the list's filters, `as_of`).
  it('asks the counts with the list’s filters (not status) and links each to them plus its status', async () => {
    const from = browser.responses.length;
    await page().goto(`${tracker}/console/?lang=en#/transfers?status=pending&instance=company-a`);
    await live();
    const bar = page().locator('[data-testid="status-counts"]');
    await bar.locator('a.count-link').first().waitFor({ state: 'visible', timeout: 15_000 });
    await browser.settled();
    const counts = browser.responses
      .slice(from)
      .filter((entry) => new URL(entry.url).pathname === '/v1/transfers/counts');
    expect(counts.length).toBeGreaterThan(0);
    for (const entry of counts) {
      const query = new URL(entry.url).searchParams;
      expect(query.get('instance')).toBe('company-a');
      expect(query.has('status')).toBe(false);
      expect(entry.status).toBe(200);
      expect(JSON.parse(entry.text ?? '{}')).toHaveProperty('as_of');
    }
    const hrefs = await bar
      .locator('a.count-link')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs).toContain('#/transfers?status=failed&instance=company-a');
    expect(hrefs).toContain('#/transfers?instance=company-a&stuck=true');
    expect(hrefs.every((href) => href.includes('instance=company-a'))).toBe(true);
    expect(await page().locator('[data-testid="counts-note"]').textContent()).not.toContain('unavailable');
    await browser.screenshot('counts-filtered');
  });

  // Needs the tracker of the second pass (GET /v1/transfers/{id}/serials?q=).
  it('searches every serial of a transfer through the tracker (q), beyond the pages loaded', async () => {
    await pipeline.startReplica('po_a');
    const body = demoTransfer({
      perItem: { 'PIN-001': 130, 'SIM-001': 130 },
      reference: 'console live: serials',
    });
    const serials = body.items.flatMap((item) => item.serials);
    const id = await pipeline.submit(body);
    await pipeline.waitFor(id, (state) => state.status === 'completed', 120_000);
    await waitForTrackerStatus(tracker, pipeline.admin, id, 'completed');

    await page().goto(`${tracker}/console/?lang=en#/transfers/${id}`);
    const list = page().locator('[data-testid="serials-list"]');
    await expect
      .poll(async () => (await list.textContent()) ?? '', { timeout: 15_000 })
      .toContain('of 260 loaded');
    // The last serial is beyond the first page (200): the search finds it all the same.
    const last = serials[serials.length - 1] as string;
    expect(await list.textContent()).not.toContain(last);
    const from = browser.responses.length;
    await list.locator('input[name="serial-search"]').fill(last.slice(-8));
    await expect
      .poll(async () => (await list.locator('tbody').textContent()) ?? '', { timeout: 15_000 })
      .toContain(last);
    const searched = browser.responses
      .slice(from)
      .filter((entry) => new URL(entry.url).pathname === `/v1/transfers/${id}/serials`);
    expect(searched.some((entry) => new URL(entry.url).searchParams.get('q') === last.slice(-8))).toBe(true);
    expect(await list.locator('[data-testid="serials-status"]').textContent()).toMatch(/1 of 1 matching/);
    await browser.screenshot('serial-search');
  });

  it('received no body with the token, and the page threw nothing', async () => {
    const responses = await browser.settled();
    expect(bodiesContaining(responses, pipeline.admin)).toEqual([]);
    expect(browser.pageErrors.filter((error) => error.startsWith('uncaught'))).toEqual([]);
  });
});
