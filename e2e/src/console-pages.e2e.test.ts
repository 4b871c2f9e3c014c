/**
 * What the console's pages promise (docs/console.md, "Pages") that the other browser tests do not
 * cover, in headless Chromium against the real stack: a transfer waiting on a retry highlighted in
 * the list, with its waiting reason and next attempt on its page; a transfer with no event for
 * longer than the tracker's stuck threshold highlighted as stuck; ERPNext's rejection at a step
 * shown in full, as text; editing an instance (its credentials never shown), preparing it, and
 * the preflight of a pair listing every problem.
 *
 * pr-a starts with no replica, so company A's rate limit can be switched on before it runs.
 * pr-b starts with no replica: transfers stop after dn_a (in progress at pr_b, no more events),
 * which makes them stuck after the tracker's threshold (a few seconds here), and lets the test
 * plant a conflicting serial in B after po-a's preflight passed, before pr-b submits.
 */
import { DEMO_COMPANY_B } from '@interco/erpnext-sim';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserTestsSkipReason, openBrowser } from './harness/browser.js';
import {
  bodiesContaining,
  overflowsOf,
  secretsOf,
  signIn,
  trackerView,
  transferRow,
  waitForTrackerStatus,
} from './harness/console.js';
import type { PageElement, PageGlobals } from './harness/page-globals.js';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer, freshSerial } from './harness/requests.js';

const skipReason = browserTestsSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

/** The tracker's stuck threshold in this file: short, so a quiet transfer is stuck soon. */
const STUCK_AFTER_MS = 8_000;

let pipeline: Pipeline;
let browser: BrowserSession;
let tracker: string;
/** The transfer that waited on a rate limit, then sat at pr_b (stuck). */
let waitingId: string;

suite(`the console's pages in Chromium${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({
      console: true,
      stepReplicas: { pr_a: 0, pr_b: 0 },
      trackerStuckAfterMs: STUCK_AFTER_MS,
    });
    tracker = pipeline.tracker?.url ?? '';
    browser = await openBrowser({ testName: 'console-pages' });
    await browser.page.goto(`${tracker}/console/?lang=en`);
    await signIn(browser.page, pipeline.admin);
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.close();
  });

  const page = (): Page => browser.page;
  const text = async (locator: Locator) => (await locator.textContent()) ?? '';
  const row = (id: string) => transferRow(page(), id);
  /** The list, read again (a navigation away and back renders it anew). */
  const openList = async () => {
    await page().locator('nav.main-nav a[href="#/instances"]').click();
    await page().locator('[data-testid="instances-table"]').waitFor({ state: 'visible', timeout: 15_000 });
    await page().locator('nav.main-nav a[href="#/transfers"]').click();
    await page().locator('[data-testid="status-counts"] ul').waitFor({ state: 'visible', timeout: 15_000 });
  };
  const openTransfer = async (id: string) => {
    await page().goto(`${tracker}/console/?lang=en#/transfers/${id}`);
    await page().locator('[data-testid="step-pr_b"]').waitFor({ state: 'visible', timeout: 15_000 });
  };
  /** The transfer's steps' `waiting` events: every next attempt the page may show. */
  const nextAttempts = async (id: string) =>
    (await pipeline.events(id)).flatMap((event) =>
      event.type === 'pr_a.waiting' ? [event.data as { reason: string; next_attempt_at: string }] : [],
    );

  /** The waiting transfer as the list and its page show it (pr_a waiting on a rate limit). */
  const expectWaiting = async () => {
    await waitForTrackerStatus(tracker, pipeline.admin, waitingId, 'waiting');
    await openList();
    await row(waitingId).waitFor({ state: 'visible', timeout: 15_000 });
    await expect
      .poll(() => row(waitingId).getAttribute('class'), { timeout: 15_000 })
      .toContain('attention-waiting');
    expect((await text(row(waitingId).locator('td').nth(1))).trim()).toBe('Waiting');
    expect((await text(row(waitingId).locator('td').nth(2))).trim()).toBe('Purchase Receipt in A');
    // The "Waiting" count is a filter link marked for attention, and counts it.
    const waitingCount = page().locator('[data-testid="status-counts"] a.attention-waiting');
    await expect.poll(() => text(waitingCount.locator('.count-value')), { timeout: 15_000 }).toBe('1');
    await browser.screenshot('list-waiting');

    await row(waitingId).locator(`a[href="#/transfers/${waitingId}"]`).click();
    const step = page().locator('[data-testid="step-pr_a"]');
    await step.waitFor({ state: 'visible', timeout: 15_000 });
    expect((await text(step.locator('.step-head .badge'))).trim()).toBe('Waiting');
    const message = step.locator('p.message.attention');
    await message.waitFor({ state: 'visible', timeout: 15_000 });
    const shown = (await text(message)).trim();
    const match = /^Waiting: the ERPNext site is limiting requests\. Next attempt: (.+)\.$/.exec(shown);
    expect(match, shown).not.toBeNull();
    // The time shown is one of the step's next attempts, as the browser formats it.
    const waits = await nextAttempts(waitingId);
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.every((wait) => wait.reason === 'rate_limited')).toBe(true);
    const formatted = await page().evaluate(
      (times) =>
        times.map((time) =>
          new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(time)),
        ),
      waits.map((wait) => wait.next_attempt_at),
    );
    expect(formatted).toContain(match?.[1]);
    await browser.screenshot('transfer-waiting');
  };

  it('highlights a transfer waiting on a rate limit in the list; its step shows the reason and the next attempt', async () => {
    waitingId = await pipeline.submit(
      demoTransfer({ perItem: { 'PIN-001': 2 }, reference: 'console pages: waiting' }),
    );
    await pipeline.waitFor(waitingId, (state) => state.steps.po_a.status === 'done');
    // Company A limits every request (429, Retry-After 1 s) when pr-a starts: pr_a waits, retrying.
    try {
      await pipeline.a.setRules([{ error_rates: { '429': 1 }, retry_after_s: 1 }]);
      await pipeline.startReplica('pr_a');
      await expectWaiting();
    } finally {
      await pipeline.a.setRules();
    }
  });

  it('highlights a running transfer with no event for longer than the threshold as stuck, once the list is read again', async () => {
    // No pr-b replica: after dn_a the transfer is in progress at pr_b, and nothing more happens.
    await pipeline.waitFor(waitingId, (state) => state.steps.dn_a.status === 'done');
    await expect
      .poll(async () => (await trackerView(tracker, pipeline.admin, waitingId)).stuck, { timeout: 30_000 })
      .toBe(true);
    await openList();
    await row(waitingId).waitFor({ state: 'visible', timeout: 15_000 });
    expect(await row(waitingId).getAttribute('class')).toContain('attention-stuck');
    const status = row(waitingId).locator('td').nth(1);
    expect((await text(status.locator('.badge').first())).trim()).toBe('In progress');
    expect((await text(status.locator('.attention-badge.stuck'))).trim()).toBe('Stuck');
    const stuckCount = page().locator('[data-testid="status-counts"] a.attention-stuck .count-value');
    expect(Number(await text(stuckCount))).toBeGreaterThanOrEqual(1);
    await browser.screenshot('list-stuck');
    // The transfer's page says it too.
    await openTransfer(waitingId);
    expect((await text(page().locator('.transfer-header .page-title .attention-badge.stuck'))).trim()).toBe(
      'Stuck',
    );
    await browser.screenshot('transfer-stuck');
  });

  it('shows ERPNext’s rejection at a step (after the preflight passed) in full, as text, line breaks kept', async () => {
    const body = demoTransfer({ perItem: { 'PIN-001': 2 }, reference: 'console pages: rejected' });
    const serial = body.items[0]?.serials[0] as string;
    const id = await pipeline.submit(body);
    await pipeline.waitFor(id, (state) => state.steps.dn_a.status === 'done');
    // After po-a's preflight passed: B already has that serial, delivered by a document whose
    // name (planted) holds markup and a line break. pr-b's submit is then refused by ERPNext.
    const planted = `DN-<b>PLANTED</b>\nsecond line ${freshSerial()}`;
    await pipeline.b.insertRecords([
      {
        doctype: 'Serial No',
        name: serial,
        serial_no: serial,
        item_code: 'PIN-001',
        company: DEMO_COMPANY_B,
        status: 'Delivered',
        delivery_document_no: planted,
      },
    ]);
    await pipeline.startReplica('pr_b');
    const failed = await pipeline.waitFor(
      id,
      (state) => state.status === 'failed' || state.status === 'completed',
    );
    expect(failed.status).toBe('failed');
    expect(failed.failed_step).toBe('pr_b');
    await waitForTrackerStatus(tracker, pipeline.admin, id, 'failed');
    const messages = (await trackerView(tracker, pipeline.admin, id)).last_error?.messages ?? [];
    const rejection = messages.find((message) => message.includes(planted));
    expect(rejection, JSON.stringify(messages)).toBeDefined();
    expect(rejection).toContain('<b>Note</b>');
    expect(rejection).toContain('\n');

    await openTransfer(id);
    const lastError = page().locator('[data-testid="last-error"]');
    await lastError.waitFor({ state: 'visible', timeout: 15_000 });
    const pres = lastError.locator('pre.erpnext-message');
    // Each message exactly as ERPNext sent it, in order.
    expect(await pres.evaluateAll((nodes) => nodes.map((node) => node.textContent))).toEqual(messages);
    const shown = pres.filter({ hasText: 'PLANTED' }).first();
    // Pre-wrapped: its line breaks are line breaks on the page (the text holds them, see above).
    expect(
      await shown.evaluate(
        (node) =>
          (globalThis as unknown as PageGlobals).getComputedStyle(node as unknown as PageElement).whiteSpace,
      ),
    ).toBe('pre-wrap');
    // Not interpreted as HTML: no element at all inside, and no <b> or <a> anywhere in the error.
    expect(await shown.evaluate((node) => node.childElementCount)).toBe(0);
    expect(await lastError.locator('b, strong, a, br').count()).toBe(0);
    // The step's own error shows the same words, as text too.
    const stepPres = page().locator('[data-testid="step-pr_b"] pre.erpnext-message');
    expect(await stepPres.evaluateAll((nodes) => nodes.map((node) => node.textContent))).toContain(rejection);
    expect(await page().locator('[data-testid="step-pr_b"] .error-details b').count()).toBe(0);
    expect((await shown.textContent())?.split('\n').length).toBeGreaterThanOrEqual(2);
    expect(await overflowsOf(page())).toEqual([]);
    await browser.screenshot('transfer-rejected');
  });

  it('edits an instance through the form: its credentials never shown nor answered, the stored ones kept', async () => {
    await page().locator('nav.main-nav a[href="#/instances"]').click();
    const instanceRow = page().locator('[data-testid="instances-table"] tr[data-instance-id="company-b"]');
    await instanceRow.waitFor({ state: 'visible', timeout: 15_000 });
    await instanceRow.getByRole('button', { name: 'Edit company-b' }).click();
    const form = page().locator('[data-testid="instance-form"]');
    await form.waitFor({ state: 'visible' });
    expect(await form.locator('input[name="id"]').inputValue()).toBe('company-b');
    expect(await form.locator('input[name="base_url"]').inputValue()).toBe(pipeline.b.url);
    // Neither credential is filled in (the page never knows them), and the form says why.
    expect(await form.locator('input[name="api_key"]').inputValue()).toBe('');
    expect(await form.locator('input[name="api_secret"]').inputValue()).toBe('');
    expect(await text(form)).toContain('Empty: the stored one is kept (it is never shown).');
    await browser.screenshot('instance-edit');

    const newName = `Company B, renamed ${freshSerial()}`;
    await form.locator('input[name="name"]').fill(newName);
    await form.getByRole('button', { name: 'Save' }).click();
    const outcome = page().locator('[data-testid="instance-outcome"]');
    await expect.poll(() => text(outcome), { timeout: 15_000 }).toContain('Instance company-b saved.');
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => text(instanceRow), { timeout: 15_000 }).toContain(newName);
    expect(await page().locator('input[name="api_secret"]').count()).toBe(0);
    await browser.screenshot('instance-edited');

    // Intake stored the new name and kept the credentials (the connection still works).
    const stored = await pipeline.call('GET', '/v1/admin/instances/company-b');
    expect(stored.body.name).toBe(newName);
    const tested = await pipeline.call('POST', '/v1/admin/instances/company-b/test');
    expect(tested.body).toMatchObject({ ok: true });
    // No answer the page received holds a credential, nor a field named after one.
    const responses = await browser.settled();
    const saves = responses.filter(
      (entry) => entry.method === 'PUT' && new URL(entry.url).pathname === '/v1/admin/instances/company-b',
    );
    expect(saves.map((entry) => entry.status)).toEqual([200]);
    for (const [what, secret] of Object.entries(secretsOf(pipeline))) {
      expect(bodiesContaining(responses, secret), what).toEqual([]);
    }
    expect(
      responses.filter((entry) => /"api_(key|secret)"\s*:/.test(entry.text ?? '')).map((e) => e.url),
    ).toEqual([]);
    const markup = await page().content();
    for (const credential of [pipeline.b.apiKey, pipeline.b.apiSecret])
      expect(markup.includes(credential)).toBe(false);
  });

  it('prepares an instance and shows what was done', async () => {
    const instanceRow = page().locator('[data-testid="instances-table"] tr[data-instance-id="company-a"]');
    await instanceRow.getByRole('button', { name: 'Prepare company-a' }).click();
    // docs/console.md (second pass): Prepare asks for confirmation first, and says how it went.
    const dialog = page().locator('[data-testid="confirm-dialog"]');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => text(dialog), { timeout: 30_000 }).toContain('company-a: prepared.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    const outcome = page().locator('[data-testid="instance-outcome"]');
    await expect.poll(() => text(outcome), { timeout: 30_000 }).toContain('company-a: prepared.');
    // The summary intake answered, line by line.
    const answer = await pipeline.call('POST', '/v1/admin/instances/company-a/prepare');
    expect(answer.status).toBe(200);
    const summary = answer.body.summary as string[];
    expect(summary.length).toBeGreaterThan(0);
    const lines = await outcome.locator('li').allTextContents();
    expect(lines).toEqual(summary);
    await browser.screenshot('instance-prepared');
  });

  it('runs the preflight of a pair and lists every problem of the sample request', async () => {
    const form = page().locator('[data-testid="preflight-form"]');
    await form.waitFor({ state: 'visible' });
    await form.locator('select[name="instance_a"]').selectOption('company-a');
    await form.locator('select[name="instance_b"]').selectOption('company-b');
    // Two problems at least: B has no such warehouse, and neither site has such an item.
    const {
      company_a_instance_id: _a,
      company_b_instance_id: _b,
      ...request
    } = demoTransfer({
      perItem: { 'PIN-001': 1 },
      more: { company_b_warehouse: `Nowhere ${freshSerial()} - CB` },
    }) as unknown as Record<string, unknown>;
    const items = request.items as Array<Record<string, unknown>>;
    items.push({ ...items[0], item_code: `NO-SUCH-ITEM-${freshSerial()}`, serials: [freshSerial()] });
    await form.locator('textarea[name="request"]').fill(JSON.stringify(request, null, 2));
    await form.getByRole('button', { name: 'Check' }).click();
    const report = page().locator('[data-testid="preflight-report"]');
    await expect.poll(() => text(report), { timeout: 30_000 }).toMatch(/\d+ problems:/);

    // What intake answers for the same pair and request: every problem is on the page.
    const expected = await pipeline.call('POST', '/v1/admin/preflight', {
      ...request,
      company_a_instance_id: 'company-a',
      company_b_instance_id: 'company-b',
    });
    const problems = expected.body.problems as Array<{
      instance: string;
      check: string;
      path?: string;
      message: string;
    }>;
    expect(expected.body.ok).toBe(false);
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.some((problem) => problem.message.includes(String(request.company_b_warehouse)))).toBe(
      true,
    );
    expect(problems.some((problem) => problem.message.includes(String(items[1]?.item_code)))).toBe(true);
    expect((await text(report.locator('p').first())).trim()).toBe(`${problems.length} problems:`);
    const listed = (await report.locator('li').allTextContents()).map((line) => line.trim());
    expect(listed).toEqual(
      problems.map(
        (problem) =>
          `Instance ${problem.instance.toUpperCase()} · ${problem.check}${problem.path === undefined ? '' : ` (${problem.path})`}: ${problem.message}`,
      ),
    );
    expect(await overflowsOf(page())).toEqual([]);
    await browser.screenshot('preflight');
    expect(browser.pageErrors.filter((error) => error.startsWith('uncaught'))).toEqual([]);
  });
});
