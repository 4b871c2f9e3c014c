/**
 * The operations console's flows in headless Chromium against the real stack (issue 8,
 * "Acceptance"; docs/console.md, "Tests"): sign in, watch a transfer go from pending to completed
 * live, open a failed one and read ERPNext's message, fix the master data through the simulator,
 * Retry and see it complete; add an instance and test it; find a transfer by serial. Every page
 * is saved as a screenshot, and every response body the browser received is searched for the
 * tokens, the instances' credentials and (read with a token without `serials:read`) the serials.
 *
 * po-a starts with no replica, so a transfer submitted while the list is open stays pending
 * until the test starts one: the list shows it pending, then completed, whatever the timing.
 */
import { DEMO_COMPANY_B } from '@interco/erpnext-sim';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserTestsSkipReason, openBrowser } from './harness/browser.js';
import {
  bodiesContaining,
  mintToken,
  secretsOf,
  signIn,
  textSecurityOf,
  transferRow,
  waitForTrackerStatus,
} from './harness/console.js';
import { STEP_DOCUMENTS } from './harness/outcomes.js';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer, freshSerial } from './harness/requests.js';

const skipReason = browserTestsSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

const SLUGS = {
  'Purchase Order': 'purchase-order',
  'Purchase Receipt': 'purchase-receipt',
  'Delivery Note': 'delivery-note',
} as const;

let pipeline: Pipeline;
let browser: BrowserSession;
let tracker: string;
let reader: string;
/** The transfer watched live, and its serials. */
let liveId: string;
let liveSerials: string[];
/** The instance added through the page. */
const addedId = 'company-b-console';

suite(`the console's flows in Chromium${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ console: true, stepReplicas: { po_a: 0 } });
    tracker = pipeline.tracker?.url ?? '';
    reader = await mintToken(pipeline, 'console-flows-reader', ['transfers:read']);
    browser = await openBrowser({ testName: 'console-flows' });
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.close();
  });

  /** po-a's replica (none at start), once. */
  const startPoA = async () => {
    if (!pipeline.replicas.some((replica) => replica.step === 'po_a')) await pipeline.startReplica('po_a');
  };
  const page = () => browser.page;
  const row = (id: string) => transferRow(page(), id);
  /** The status text of a row (its second cell: the badge, and "Stuck" when it is). */
  const rowStatus = async (id: string) => ((await row(id).locator('td').nth(1).textContent()) ?? '').trim();
  const headerStatus = async () =>
    ((await page().locator('.transfer-header .page-title .badge').first().textContent()) ?? '').trim();
  const stepStatus = async (step: string) =>
    ((await page().locator(`[data-testid="step-${step}"] .step-head .badge`).textContent()) ?? '').trim();
  const text = async (locator: Locator) => (await locator.textContent()) ?? '';

  /** Every step done, each with its ERPNext document linked at `{base_url}/app/{doctype}/{name}`. */
  const expectStepsDoneWithLinks = async (transferId: string) => {
    const state = await pipeline.state(transferId);
    for (const [step, site, doctype] of STEP_DOCUMENTS) {
      await expect.poll(() => stepStatus(step), { timeout: 30_000 }).toBe('Done');
      const names = state?.steps[step].documents.map((doc) => doc.name) ?? [];
      expect(names.length, step).toBeGreaterThan(0);
      const hrefs = await page()
        .locator(`[data-testid="step-${step}"] ul.documents a`)
        .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
      expect(hrefs, step).toEqual(
        names.map((name) => `${pipeline[site].url}/app/${SLUGS[doctype]}/${encodeURIComponent(name)}`),
      );
    }
  };

  it('signs in, and watches a transfer submitted while the list is open go from Pending to Completed live', async () => {
    await page().goto(`${tracker}/console/?lang=en`);
    await signIn(page(), pipeline.admin);
    await page().locator('[data-testid="status-counts"]').waitFor({ state: 'visible', timeout: 15_000 });
    await expect
      .poll(() => page().locator('[data-testid="live-indicator"]').getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toBe('live');
    // Nothing yet: the first row comes live into an empty list (a table made then).
    expect(await text(page().locator('.list-region'))).toContain('There are no transfers yet.');

    const body = demoTransfer({ perItem: { 'PIN-001': 3, 'SIM-001': 2 }, reference: 'console flows: live' });
    liveSerials = body.items.flatMap((item) => item.serials);
    liveId = await pipeline.submit(body);
    // No po-a replica yet: the transfer waits, pending, in the list.
    await row(liveId).waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => rowStatus(liveId), { timeout: 15_000 }).toBe('Pending');
    await browser.screenshot('list-pending');

    await startPoA();
    await expect.poll(() => rowStatus(liveId), { timeout: 60_000 }).toBe('Completed');
    expect(await row(liveId).locator('td').nth(3).textContent()).toBe('console flows: live');
    await browser.screenshot('list');
    // The live feed named the transfer; the page never reloaded.
    const live = browser.responses.filter((entry) => new URL(entry.url).pathname === '/v1/live');
    expect(live.some((entry) => (entry.text ?? '').includes(liveId))).toBe(true);
  });

  it('opens the completed transfer: four steps done, each document linked to ERPNext', async () => {
    await row(liveId).locator(`a[href="#/transfers/${liveId}"]`).click();
    await page().waitForURL(`**/console/?lang=en#/transfers/${liveId}`);
    await page().locator('[data-testid="step-pr_b"]').waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(headerStatus, { timeout: 15_000 }).toBe('Completed');
    await expectStepsDoneWithLinks(liveId);
    // With serials:read (admin), the serials are listed.
    const serialsList = page().locator('[data-testid="serials-list"]');
    await expect.poll(() => text(serialsList), { timeout: 15_000 }).toContain(liveSerials[0] as string);
    expect(await page().locator('[data-testid="last-error"]').count()).toBe(0);
    await browser.screenshot('transfer');
  });

  it('shows a failed transfer’s message; after the master data is fixed, Retry (confirmed) completes it', async () => {
    const warehouseName = `Console Receiving ${freshSerial()}`;
    const warehouse = `${warehouseName} - CB`;
    const body = demoTransfer({
      perItem: { 'SIM-001': 2 },
      reference: 'console flows: fixed and retried',
      more: { company_b_warehouse: warehouse },
    });
    await startPoA();
    const id = await pipeline.submit(body);
    const failed = await pipeline.waitFor(id, (s) => s.status === 'failed' || s.status === 'completed');
    expect(failed.status).toBe('failed');
    await waitForTrackerStatus(tracker, pipeline.admin, id, 'failed');

    await page().goto(`${tracker}/console/?lang=en#/transfers/${id}`);
    const lastError = page().locator('[data-testid="last-error"]');
    await lastError.waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(headerStatus, { timeout: 15_000 }).toBe('Failed');
    // ERPNext's (the preflight's) message, in full, names the missing warehouse.
    const messages = await lastError.locator('pre.erpnext-message').allTextContents();
    expect(messages.join('\n')).toContain(warehouse);
    await browser.screenshot('transfer-failed');

    // The fix: the warehouse added to company B through the simulator, then Retry.
    await pipeline.b.insertRecords([
      {
        doctype: 'Warehouse',
        warehouse_name: warehouseName,
        company: DEMO_COMPANY_B,
        parent_warehouse: 'All Warehouses - CB',
      },
    ]);
    await page().locator('[data-testid="retry-button"]').click();
    const dialog = page().locator('[data-testid="confirm-dialog"]');
    await dialog.waitFor({ state: 'visible' });
    expect(await text(dialog)).toContain('runs again');
    await browser.screenshot('confirm-dialog');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => text(dialog), { timeout: 15_000 }).toContain('Accepted: generation 2');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The page follows the retry live, to Completed.
    await expect.poll(headerStatus, { timeout: 60_000 }).toBe('Completed');
    await pipeline.waitFor(id, (s) => s.status === 'completed');
    await expectStepsDoneWithLinks(id);
    await browser.screenshot('transfer-retried');
  });

  it('adds an instance through the form (secret typed, never shown) and tests its connection', async () => {
    await page().locator('nav a[href="#/instances"]').click();
    await page().locator('[data-testid="instances-table"]').waitFor({ state: 'visible', timeout: 15_000 });
    await page().getByRole('button', { name: 'Add an instance' }).click();
    const form = page().locator('[data-testid="instance-form"]');
    await form.waitFor({ state: 'visible' });
    await form.locator('input[name="id"]').fill(addedId);
    await form.locator('input[name="name"]').fill('Company B, registered from the console');
    await form.locator('input[name="base_url"]').fill(pipeline.b.url);
    await form.locator('input[name="api_key"]').fill(pipeline.b.apiKey);
    const secretField = form.locator('input[name="api_secret"]');
    // A plain input masked by CSS (the browser's password manager never offers to save it).
    expect(await secretField.getAttribute('type')).toBe('text');
    expect(await textSecurityOf(secretField)).toBe('disc');
    await secretField.fill(pipeline.b.apiSecret);
    await form.getByRole('button', { name: 'Save' }).click();
    const outcome = page().locator('[data-testid="instance-outcome"]');
    await expect.poll(() => text(outcome), { timeout: 15_000 }).toContain(`Instance ${addedId} saved.`);
    await form.waitFor({ state: 'detached' });
    const added = page().locator(`[data-testid="instances-table"] tr[data-instance-id="${addedId}"]`);
    await added.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await text(added)).toContain(pipeline.b.url);
    await browser.screenshot('instances');

    await added.getByRole('button', { name: `Test connection ${addedId}` }).click();
    await expect.poll(() => text(outcome), { timeout: 15_000 }).toMatch(/connection works/);
    expect(await text(outcome)).toContain(addedId);
    await browser.screenshot('instance-test');

    // Neither credential anywhere in the page: not in its markup, not in any field's value.
    const markup = await page().content();
    const values = await page()
      .locator('input, textarea')
      .evaluateAll((fields) => fields.map((field) => (field as unknown as { value: string }).value));
    for (const credential of [pipeline.b.apiKey, pipeline.b.apiSecret]) {
      expect(markup.includes(credential)).toBe(false);
      expect(values.filter((value) => value.includes(credential))).toEqual([]);
    }
    await browser.settled();
    expect(bodiesContaining(browser.responses, pipeline.b.apiSecret)).toEqual([]);
    // Intake stored it: the instance is there, its connection tested by intake itself.
    const tested = await pipeline.call('POST', `/v1/admin/instances/${addedId}/test`);
    expect(tested.body).toMatchObject({ ok: true });
  });

  it('finds a transfer by one of its serials with the list’s serial filter', async () => {
    await page().locator('nav a[href="#/transfers"]').click();
    const filter = page().locator('input[name="serial"]');
    await filter.waitFor({ state: 'visible', timeout: 15_000 });
    await filter.fill(liveSerials[1] as string);
    await page().getByRole('button', { name: 'Apply filters' }).click();
    const ids = () =>
      page()
        .locator('[data-testid="transfer-row"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-transfer-id')));
    await expect.poll(ids, { timeout: 15_000 }).toEqual([liveId]);
    // A serial may be a PIN: it stays out of the URL (and so out of the browser's history).
    expect(page().url()).not.toContain(liveSerials[1] as string);
    await browser.screenshot('serial-search');
  });

  let readerFrom = 0;
  it('with a token without serials:read after a reload: the transfer shown, its serials masked', async () => {
    // The token lived in the page's memory: a reload forgets it (a goto that changes only the
    // hash would not). Then the page asked for: the console keeps it for after the sign-in.
    await page().reload();
    await page().locator('[data-testid="sign-in-form"]').waitFor({ state: 'visible', timeout: 15_000 });
    await page().goto(`${tracker}/console/?lang=en#/transfers/${liveId}`);
    await page().locator('[data-testid="sign-in-form"]').waitFor({ state: 'visible', timeout: 15_000 });
    await browser.settled();
    readerFrom = browser.responses.length;
    await signIn(page(), reader);
    await page().waitForURL(`**/console/?lang=en#/transfers/${liveId}`);
    await page().locator('[data-testid="step-pr_b"]').waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(headerStatus, { timeout: 15_000 }).toBe('Completed');
    expect(await text(page().locator('[data-testid="serials-list"]'))).toContain(`× ${liveSerials.length}`);
    expect(await page().locator('[data-testid="retry-button"]').count()).toBe(0);
    expect(await page().locator('nav a[href="#/instances"]').count()).toBe(0);
    const shown = await page().content();
    for (const serial of liveSerials) expect(shown.includes(serial)).toBe(false);
    await browser.screenshot('transfer-masked');
  });

  it('received no body with a token or an instance credential, nor (as the reader) a serial', async () => {
    const responses = await browser.settled();
    // The admin session's reads are in the recording (with their bodies), across origins.
    for (const path of ['/v1/admin/instances', `/v1/transfers/${liveId}/serials`, '/v1/live']) {
      expect(
        responses.some((entry) => new URL(entry.url).pathname === path && (entry.text ?? '') !== ''),
        path,
      ).toBe(true);
    }
    for (const [what, secret] of Object.entries(secretsOf(pipeline, { 'the reader token': reader }))) {
      expect(bodiesContaining(responses, secret), what).toEqual([]);
    }
    expect(responses.every((entry) => !/api_(key|secret)"\s*:/.test(entry.text ?? ''))).toBe(true);
    // The reader's session: the transfer and its events were read, its serials in no body.
    const asReader = responses.slice(readerFrom);
    expect(asReader.map((entry) => new URL(entry.url).pathname)).toContain(`/v1/transfers/${liveId}`);
    expect(asReader.map((entry) => new URL(entry.url).pathname)).not.toContain(
      `/v1/transfers/${liveId}/serials`,
    );
    for (const serial of liveSerials) expect(bodiesContaining(asReader, serial), 'a serial').toEqual([]);
    // And the page threw nothing along the way.
    expect(browser.pageErrors.filter((error) => error.startsWith('uncaught'))).toEqual([]);
  });
});
