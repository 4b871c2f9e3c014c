/**
 * What the console promises about reaching it (docs/console.md, "Pages" and "Language, dates,
 * accessibility"), in headless Chromium against the real stack: cursor paging with the filters
 * kept in the URL hash; Spanish from the browser's language and English from the header's
 * switch, with no key left untranslated; everything by keyboard (visible focus, the dialog
 * keeps the focus and closes with Escape); a 1366x768 laptop screen with no sideways scroll;
 * dates in the browser's time zone; and neither the token nor a searched serial kept anywhere
 * the browser stores things (storage, cookies, IndexedDB, the URL and its history).
 *
 * po-a has no replica: every transfer stays pending, so the file runs no ERPNext work at all.
 * More transfers than one page of the list (50) share one reference.
 */
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserTestsSkipReason, openBrowser } from './harness/browser.js';
import {
  mintToken,
  missingKeyMarkers,
  overflowsOf,
  pageStorage,
  pageText,
  signIn,
  trackerView,
  transferRow,
} from './harness/console.js';
import type { PageGlobals } from './harness/page-globals.js';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer, freshSerial } from './harness/requests.js';

const skipReason = browserTestsSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

/** The console's list page size (packages/console, transfers page). */
const PAGE_SIZE = 50;
const TRANSFERS = PAGE_SIZE + 3;

let pipeline: Pipeline;
let tracker: string;
let reader: string;
let serialReader: string;
/** The paged transfers' reference, and their ids newest first (as the tracker lists them). */
const reference = `paging-${freshSerial()}`;
let ids: string[];
/** The newest transfer and one of its serials. */
let newestId: string;
let newestSerial: string;
const sessions: BrowserSession[] = [];

suite(`the console's access promises in Chromium${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ console: true, stepReplicas: { po_a: 0 } });
    tracker = pipeline.tracker?.url ?? '';
    reader = await mintToken(pipeline, 'console-access-reader', ['transfers:read']);
    serialReader = await mintToken(pipeline, 'console-access-serials', ['transfers:read', 'serials:read']);
    // One after another: each is created after the one before (the list's order is certain).
    const serials: string[] = [];
    for (let i = 0; i < TRANSFERS; i++) {
      const body = demoTransfer({ perItem: { 'PIN-001': 1 }, reference });
      serials.push(body.items[0]?.serials[0] as string);
      await pipeline.submit(body);
    }
    newestSerial = serials.at(-1) as string;
    // The tracker's read model has them all.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await fetch(
        `${tracker}/v1/transfers?${new URLSearchParams({ status: 'pending', reference, limit: '100' })}`,
        { headers: { authorization: `Bearer ${pipeline.admin}` } },
      );
      const list = (await answer.json()) as { transfers: { transfer_id: string }[] };
      ids = list.transfers.map((transfer) => transfer.transfer_id);
      if (ids.length === TRANSFERS) break;
      if (Date.now() > deadline) throw new Error(`the tracker lists ${ids.length} of ${TRANSFERS} transfers`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    newestId = ids[0] as string;
  }, 120_000);

  afterAll(async () => {
    for (const session of sessions) await session.close();
    await pipeline?.close();
  });

  const open = async (testName: string, options: { locale?: string; timezoneId?: string } = {}) => {
    const session = await openBrowser({ testName, ...options });
    sessions.push(session);
    return session;
  };
  const rowIds = (page: Page) =>
    page
      .locator('[data-testid="transfer-row"]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-transfer-id') ?? ''));
  const hashParams = (page: Page) => {
    const hash = new URL(page.url()).hash;
    return new URLSearchParams(hash.slice(hash.indexOf('?') + 1));
  };

  it('pages through more transfers than one page: the next ones, no duplicates, back to the first, filters kept', async () => {
    const { page, screenshot } = await open('console-access-paging');
    const filtered = `#/transfers?${new URLSearchParams({ status: 'pending', reference })}`;
    await page.goto(`${tracker}/console/?lang=en${filtered}`);
    await signIn(page, pipeline.admin);
    await page.waitForURL(`**/console/?lang=en${filtered}`);
    await expect.poll(() => rowIds(page), { timeout: 15_000 }).toHaveLength(PAGE_SIZE);
    const first = await rowIds(page);
    expect(first).toEqual(ids.slice(0, PAGE_SIZE));
    expect(await page.locator('nav.pager').getByRole('link', { name: 'First page' }).count()).toBe(0);
    await screenshot('first-page');

    await page.locator('nav.pager').getByRole('link', { name: 'Next page' }).click();
    await expect.poll(() => hashParams(page).get('cursor'), { timeout: 15_000 }).not.toBeNull();
    await expect.poll(() => rowIds(page), { timeout: 15_000 }).toHaveLength(TRANSFERS - PAGE_SIZE);
    const second = await rowIds(page);
    expect(second).toEqual(ids.slice(PAGE_SIZE));
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    // The filters stayed, in the hash and in the form.
    expect(hashParams(page).get('status')).toBe('pending');
    expect(hashParams(page).get('reference')).toBe(reference);
    expect(await page.locator('form.filters select[name="status"]').inputValue()).toBe('pending');
    expect(await page.locator('form.filters input[name="reference"]').inputValue()).toBe(reference);
    // The last page has no next one.
    expect(await page.locator('nav.pager').getByRole('link', { name: 'Next page' }).count()).toBe(0);
    await screenshot('next-page');

    await page.locator('nav.pager').getByRole('link', { name: 'First page' }).click();
    await expect.poll(() => hashParams(page).get('cursor'), { timeout: 15_000 }).toBeNull();
    await expect.poll(() => rowIds(page), { timeout: 15_000 }).toEqual(first);
    expect(hashParams(page).get('status')).toBe('pending');
    expect(hashParams(page).get('reference')).toBe(reference);
    await screenshot('first-page-again');
  });

  it('speaks Spanish to a Spanish browser, English after the header’s switch, no key left untranslated', async () => {
    // The check sees what it looks for.
    expect(missingKeyMarkers('Estado\ntransfers.filter.status\n{count} nuevas\nundefined')).toEqual([
      'transfers.filter.status',
      '{count}',
      'undefined',
    ]);
    const { page, screenshot } = await open('console-access-spanish', { locale: 'es-ES' });
    await page.goto(`${tracker}/console/`);
    const form = page.locator('[data-testid="sign-in-form"]');
    await form.waitFor({ state: 'visible', timeout: 15_000 });
    expect(
      await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.lang),
    ).toBe('es');
    expect((await page.locator('h1').textContent())?.trim()).toBe('Entrar');
    expect((await form.locator('button[type="submit"]').textContent())?.trim()).toBe('Entrar');
    expect(missingKeyMarkers(await pageText(page))).toEqual([]);
    await screenshot('sign-in-es');
    await signIn(page, pipeline.admin);

    const counts = page.locator('[data-testid="status-counts"] ul');
    await counts.waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('[data-testid="transfer-row"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    const labels = async () => ({
      title: (await page.locator('main h1').first().textContent())?.trim(),
      nav: (await page.locator('nav.main-nav a').allTextContents()).join(' '),
      apply: (await page.locator('form.filters button[type="submit"]').textContent())?.trim(),
      clear: (await page.locator('form.filters a.button').textContent())?.trim(),
      counts: await counts.locator('.count-label').allTextContents(),
      columns: await page.locator('table.transfers thead th').allTextContents(),
      rowStatus: (
        await page.locator('[data-testid="transfer-row"] td:nth-child(2)').first().textContent()
      )?.trim(),
      signOut: (await page.getByRole('button', { name: /^(Salir|Sign out)$/ }).textContent())?.trim(),
    });
    expect(await labels()).toEqual({
      title: 'Transferencias',
      nav: 'Transferencias Instancias',
      apply: 'Aplicar filtros',
      clear: 'Quitar filtros',
      counts: expect.arrayContaining([
        'Todas',
        'Pendiente',
        'En curso',
        'En espera',
        'Fallida',
        'Completada',
      ]),
      columns: expect.arrayContaining(['Estado', 'Creada']),
      rowStatus: 'Pendiente',
      signOut: 'Salir',
    });
    expect(missingKeyMarkers(await pageText(page))).toEqual([]);
    await screenshot('list-es');

    await page.locator('header button[lang="en"]').click();
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.lang))
      .toBe('en');
    await expect.poll(async () => (await labels()).title, { timeout: 15_000 }).toBe('Transfers');
    expect(await labels()).toEqual({
      title: 'Transfers',
      nav: 'Transfers Instances',
      apply: 'Apply filters',
      clear: 'Clear filters',
      counts: expect.arrayContaining(['All', 'Pending', 'In progress', 'Waiting', 'Failed', 'Completed']),
      columns: expect.arrayContaining(['Status', 'Created']),
      rowStatus: 'Pending',
      signOut: 'Sign out',
    });
    expect(await page.locator('header button[lang="en"]').getAttribute('aria-pressed')).toBe('true');
    const english = await pageText(page);
    expect(missingKeyMarkers(english)).toEqual([]);
    expect(english).not.toMatch(/Transferencias|Aplicar filtros|Pendiente/);
    await screenshot('list-en');

    // The transfer's page in English too, then in Spanish again. Its events table names the
    // events by their types (`transfer.requested`): data, not keys.
    const eventTypes = (await pipeline.events(newestId)).map((event) => event.type);
    expect(eventTypes).toContain('transfer.requested');
    await page.locator(`a[href="#/transfers/${newestId}"]`).click();
    await page.locator('[data-testid="step-pr_b"]').waitFor({ state: 'visible', timeout: 15_000 });
    expect(missingKeyMarkers(await pageText(page), eventTypes)).toEqual([]);
    await page.locator('header button[lang="es"]').click();
    await expect
      .poll(() => page.locator('[data-testid="cancel-button"]').textContent(), { timeout: 15_000 })
      .toBe('Anular');
    const spanish = await pageText(page);
    expect(spanish).toContain('Pendiente');
    expect(missingKeyMarkers(spanish, eventTypes)).toEqual([]);
    await screenshot('transfer-es');
  });

  it('works by keyboard alone: sign in, list, transfer, the Cancel dialog keeps the focus and closes with Escape', async () => {
    const { page, screenshot } = await open('console-access-keyboard');
    await page.goto(`${tracker}/console/?lang=en`);
    await page.locator('[data-testid="sign-in-form"]').waitFor({ state: 'visible', timeout: 15_000 });
    /** What has the focus, and whether it shows (an outline or a shadow). */
    const focused = () =>
      page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
        const element = document.activeElement;
        if (element === null || element === document.body)
          return { what: 'body', visible: false, inDialog: false, detail: '' };
        const style = getComputedStyle(element);
        const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
        return {
          what: `${element.tagName.toLowerCase()}|${element.getAttribute('name') ?? ''}|${element.getAttribute('href') ?? ''}|${element.dataset.testid ?? ''}|${element.textContent?.trim().slice(0, 30) ?? ''}`,
          visible: outline || style.boxShadow !== 'none',
          detail: `outline ${style.outlineStyle} ${style.outlineWidth}, box-shadow ${style.boxShadow}`,
          inDialog: element.closest('dialog[open]') !== null,
        };
      });
    /**
     * Tabs until `wanted` has the focus (at most `limit` presses), each focus visible. Past the
     * page's last control the focus leaves the page (the browser's own controls: `body` here).
     */
    const tabTo = async (wanted: (what: string) => boolean, limit: number) => {
      const seen: string[] = [];
      if (wanted((await focused()).what)) return;
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press('Tab');
        const now = await focused();
        seen.push(now.what);
        // Every control, date fields included (their focus is on a part inside: the console rings
        // the field's box with :focus-within).
        if (now.what !== 'body')
          expect(now.visible, `focus not visible on ${now.what}: ${now.detail}`).toBe(true);
        if (wanted(now.what)) return;
      }
      throw new Error(`never reached by Tab: ${seen.join(' → ')}`);
    };

    await tabTo((what) => what.startsWith('input|token|'), 15);
    await page.keyboard.type(pipeline.admin);
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="sign-in-form"]').waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator(`a[href="#/transfers/${newestId}"]`).waitFor({ state: 'visible', timeout: 15_000 });
    await tabTo((what) => what.includes(`|#/transfers/${newestId}|`), 80);
    await screenshot('list-focused');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**#/transfers/${newestId}`);
    await page.locator('[data-testid="cancel-button"]').waitFor({ state: 'visible', timeout: 15_000 });
    await tabTo((what) => what.includes('|cancel-button|'), 40);
    await page.keyboard.press('Enter');

    const dialog = page.locator('[data-testid="confirm-dialog"]');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toContain('No document was made: the transfer is only stopped.');
    expect((await focused()).inDialog).toBe(true);
    await screenshot('dialog-focused');
    // Forward and backward, round and round: the focus never leaves the dialog, and shows.
    const visited = new Set<string>();
    for (const key of [...Array(7).fill('Tab'), ...Array(7).fill('Shift+Tab')] as string[]) {
      await page.keyboard.press(key);
      const now = await focused();
      expect(now.inDialog, `${key} left the dialog for ${now.what}`).toBe(true);
      expect(now.visible, `focus not visible on ${now.what}`).toBe(true);
      visited.add(now.what);
    }
    // Every control of the dialog was reached (the reason, Confirm, No).
    expect(visited.size).toBe(await dialog.locator('button, textarea, input, select, [href]').count());

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Nothing was cancelled, and the focus is back on the button that opened the dialog.
    expect((await focused()).what).toContain('|cancel-button|');
    expect((await trackerView(tracker, pipeline.admin, newestId)).status).toBe('pending');
    await screenshot('dialog-closed');
  });

  it('fits a 1366x768 laptop screen: no sideways scroll on the list, a transfer and the instances', async () => {
    const { page, screenshot } = await open('console-access-laptop');
    expect(page.viewportSize()).toEqual({ width: 1366, height: 768 });
    await page.goto(`${tracker}/console/?lang=en`);
    await signIn(page, pipeline.admin);
    await page.locator('[data-testid="transfer-row"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('[data-testid="status-counts"] ul').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await overflowsOf(page)).toEqual([]);
    await screenshot('list');

    await page.locator(`a[href="#/transfers/${newestId}"]`).click();
    await page.locator('[data-testid="step-pr_b"]').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('[data-testid="cancel-button"]').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await overflowsOf(page)).toEqual([]);
    await screenshot('transfer');
    await page.locator('[data-testid="cancel-button"]').click();
    await page.locator('[data-testid="confirm-dialog"]').waitFor({ state: 'visible' });
    expect(await overflowsOf(page)).toEqual([]);
    await page.keyboard.press('Escape');

    await page.locator('nav.main-nav a[href="#/instances"]').click();
    await page.locator('[data-testid="instances-table"]').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('[data-testid="preflight-form"]').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await overflowsOf(page)).toEqual([]);
    await page.getByRole('button', { name: 'Add an instance' }).click();
    await page.locator('[data-testid="instance-form"]').waitFor({ state: 'visible' });
    expect(await overflowsOf(page)).toEqual([]);
    await screenshot('instances');

    // The check sees what it looks for: an element wider than the screen is reported.
    await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      const wide = document.createElement('button');
      wide.setAttribute('name', 'too-wide');
      // Through the CSSOM: the console's CSP refuses style attributes.
      wide.style.width = '2000px';
      document.querySelector('main')?.append(wide);
    });
    expect((await overflowsOf(page)).join('\n')).toMatch(/scrolls sideways[\s\S]*"too-wide"/);
  });

  it('shows dates in the browser’s time zone (America/Bogota), not in UTC', async () => {
    const zone = 'America/Bogota';
    const { page, screenshot } = await open('console-access-time-zone', { timezoneId: zone });
    await page.goto(`${tracker}/console/?lang=en#/transfers/${newestId}`);
    await signIn(page, pipeline.admin);
    await page.locator('[data-testid="step-pr_b"]').waitFor({ state: 'visible', timeout: 15_000 });
    const { created_at: createdAt } = await trackerView(tracker, pipeline.admin, newestId);
    const format = (timeZone: string) =>
      new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium', timeZone })
        .format(new Date(createdAt))
        .replace(/\s/g, ' ');
    const expected = format(zone);
    expect(expected).not.toBe(format('UTC'));
    const created = page.locator(`.transfer-header time[datetime="${createdAt}"]`).first();
    expect(((await created.textContent()) ?? '').replace(/\s/g, ' ')).toBe(expected);
    expect(await page.locator('header').textContent()).toContain(`Times in ${zone}`);
    await screenshot('transfer');
    // The list's "Created" column too.
    await page.locator('nav.main-nav a[href="#/transfers"]').click();
    const cell = transferRow(page, newestId).locator(`time[datetime="${createdAt}"]`).first();
    await cell.waitFor({ state: 'visible', timeout: 15_000 });
    expect(((await cell.textContent()) ?? '').replace(/\s/g, ' ')).toBe(expected);
  });

  it('keeps neither the token nor a searched serial in storage, cookies, IndexedDB, the URL or its history', async () => {
    const { page, context, screenshot } = await open('console-access-storage');
    const cdp: CDPSession = await context.newCDPSession(page);
    const urls: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) urls.push(frame.url());
    });
    const step = async () => {
      urls.push(page.url());
      urls.push(await page.evaluate(() => (globalThis as unknown as PageGlobals).location.href));
    };
    await page.goto(`${tracker}/console/?lang=en`);
    await step();
    await signIn(page, serialReader);
    await step();
    const filter = page.locator('input[name="serial"]');
    await filter.waitFor({ state: 'visible', timeout: 15_000 });
    await filter.fill(newestSerial);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => rowIds(page), { timeout: 15_000 }).toEqual([newestId]);
    await step();
    await screenshot('serial-search');
    await page.locator(`a[href="#/transfers/${newestId}"]`).click();
    await page.locator('[data-testid="serials-list"]').waitFor({ state: 'visible', timeout: 15_000 });
    await expect
      .poll(() => page.locator('[data-testid="serials-list"]').textContent(), { timeout: 15_000 })
      .toContain(newestSerial);
    // The transfer page's serial search too (by the digits after the first four).
    await page.locator('[data-testid="serials-list"] input[type="search"]').fill(newestSerial.slice(4));
    await expect
      .poll(() => page.locator('[data-testid="serials-list"]').textContent(), { timeout: 15_000 })
      .toContain('1 match');
    await step();
    await screenshot('transfer-serial-search');
    await page.goBack();
    await step();

    // What the browser keeps (the fields' values are the page's memory, not storage).
    const { values: _shown, ...stored } = await pageStorage(page);
    const navigations = (await cdp.send('Page.getNavigationHistory')) as { entries: { url: string }[] };
    const cookies = await context.cookies();
    const everything = JSON.stringify({
      stored,
      history: navigations.entries.map((entry) => entry.url),
      urls,
      cookies,
    });
    expect(navigations.entries.length).toBe(stored.historyLength);
    expect(urls.length).toBeGreaterThanOrEqual(10);
    for (const [what, secret] of [
      ['the token', serialReader],
      ['the serial', newestSerial],
    ] as const) {
      expect(everything.includes(secret), `${what} is kept: ${everything}`).toBe(false);
    }
    // Nor the token's last characters, nor the part of the serial searched on the transfer page.
    expect(everything.includes(serialReader.slice(-16))).toBe(false);
    expect(everything.includes(newestSerial.slice(4))).toBe(false);
    expect(stored.local).toEqual([]);
    expect(stored.session).toEqual([]);
    expect(stored.cookie).toBe('');
    expect(cookies).toEqual([]);

    // A token without serials:read has no serial filter at all.
    await page.reload();
    await signIn(page, reader);
    await page.locator('form.filters').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('[data-testid="transfer-row"]').first().waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('input[name="serial"]').count()).toBe(0);
    expect(await page.locator('form.filters').textContent()).not.toContain('Serial');
    await screenshot('reader-no-serial-filter');
  });
});
