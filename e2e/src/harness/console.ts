/**
 * What the console's browser tests share (docs/console.md, "Tests"): signing in through the
 * page's form, waiting for the tracker's read model, and searching every recorded response body
 * for what must never be in one.
 */
import type { Locator, Page } from 'playwright-core';
import type { RecordedResponse } from './browser.js';
import type { PageElement, PageGlobals, PageStorage } from './page-globals.js';
import type { Pipeline } from './pipeline.js';

/** Signs in through the page's form (the token is asked for, kept in memory). */
export async function signIn(page: Page, token: string): Promise<void> {
  const form = page.locator('[data-testid="sign-in-form"]');
  await form.waitFor({ state: 'visible', timeout: 15_000 });
  await form.locator('input[name="token"]').fill(token);
  await form.locator('button[type="submit"]').click();
  await form.waitFor({ state: 'detached', timeout: 15_000 });
}

/**
 * Waits (a bounded poll) until the tracker's read model shows the transfer in `status`: the
 * stream is ahead of it by a moment.
 */
export async function waitForTrackerStatus(
  trackerUrl: string,
  token: string,
  transferId: string,
  status: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = (await trackerView(trackerUrl, token, transferId)).status;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (last === status) return;
    if (Date.now() > deadline)
      throw new Error(
        `the tracker did not show ${transferId} ${status} within ${timeoutMs} ms (last: ${last})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Mints a token through intake's admin API (fails the test on anything but 201); answers it. */
export async function mintToken(
  pipeline: Pick<Pipeline, 'call'>,
  name: string,
  scopes: readonly string[],
): Promise<string> {
  const minted = await pipeline.call('POST', '/v1/admin/tokens', { name, scopes });
  if (minted.status !== 201) throw new Error(`POST /v1/admin/tokens (${name}): HTTP ${minted.status}`);
  return String(minted.body.token);
}

/** The transfers list's row of a transfer. */
export function transferRow(page: Page, transferId: string): Locator {
  return page.locator(`[data-testid="transfer-row"][data-transfer-id="${transferId}"]`);
}

/** The URLs of the responses whose body contains `needle` (what a leak check expects empty). */
export function bodiesContaining(responses: readonly RecordedResponse[], needle: string): string[] {
  return responses.filter((entry) => (entry.text ?? '').includes(needle)).map((entry) => entry.url);
}

/**
 * What no body the browser receives may hold: the pipeline's admin token, `tokens` given, and
 * both sites' API keys and secrets, by name (for the failure message).
 */
export function secretsOf(
  pipeline: {
    admin: string;
    a: { apiKey: string; apiSecret: string };
    b: { apiKey: string; apiSecret: string };
  },
  tokens: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    'the admin token': pipeline.admin,
    ...tokens,
    'company-a api_key': pipeline.a.apiKey,
    'company-a api_secret': pipeline.a.apiSecret,
    'company-b api_key': pipeline.b.apiKey,
    'company-b api_secret': pipeline.b.apiSecret,
  };
}

/** The CSS mask of a field (`-webkit-text-security`: `disc` for a masked one, `none` otherwise). */
export async function textSecurityOf(field: Locator): Promise<string> {
  return field.evaluate((element) =>
    (globalThis as unknown as PageGlobals)
      .getComputedStyle(element as unknown as PageElement)
      .getPropertyValue('-webkit-text-security'),
  );
}

/**
 * Everything the page keeps in the browser: web storage (`key=value` entries), cookies, the
 * IndexedDB databases' names, the length of the tab's history and the fields' values.
 */
export async function pageStorage(page: Page): Promise<{
  local: string[];
  session: string[];
  cookie: string;
  databases: string[];
  historyLength: number;
  values: string[];
}> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    const entries = (storage: PageStorage) =>
      Array.from({ length: storage.length }, (_, i) => {
        const key = storage.key(i) ?? '';
        return `${key}=${storage.getItem(key) ?? ''}`;
      });
    const values = Array.from(g.document.querySelectorAll('input, textarea'), (field) => field.value ?? '');
    const databases = await g.indexedDB.databases();
    return {
      local: entries(g.localStorage),
      session: entries(g.sessionStorage),
      cookie: g.document.cookie,
      databases: databases.map((database) => database.name ?? ''),
      historyLength: g.history.length,
      values,
    };
  });
}

/** A transfer as the tracker's read API answers it (the fields the browser tests compare with). */
export interface TrackerTransferView {
  readonly transfer_id: string;
  readonly status: string;
  readonly stuck: boolean;
  readonly created_at: string;
  readonly updated_at: string;
  readonly last_error: { readonly step: string; readonly messages: readonly string[] } | null;
}

/** `GET /v1/transfers/{id}` on the tracker (fails the test on anything but 200). */
export async function trackerView(
  trackerUrl: string,
  token: string,
  transferId: string,
): Promise<TrackerTransferView> {
  const answer = await fetch(`${trackerUrl}/v1/transfers/${transferId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!answer.ok) throw new Error(`GET /v1/transfers/${transferId}: HTTP ${answer.status}`);
  return (await answer.json()) as TrackerTransferView;
}

/**
 * What keeps the page from fitting its viewport's width (docs/console.md: "the layout fits a
 * 1366x768 laptop screen"): a horizontal scroll of the document, and every visible control
 * (button, link styled as one, field, navigation link) that reaches past the viewport's left or
 * right edge. Empty when it fits.
 */
export async function overflowsOf(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document, getComputedStyle } = globalThis as unknown as PageGlobals;
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth)
      out.push(
        `the document scrolls sideways: scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}`,
      );
    const width = root.clientWidth;
    const controls = document.querySelectorAll(
      'header a, header button, main button, main a, main input, main select, main textarea, main h1',
    );
    for (const control of controls) {
      const box = control.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (getComputedStyle(control).visibility === 'hidden') continue;
      if (box.left < -0.5 || box.right > width + 0.5) {
        const name =
          control.getAttribute('name') ??
          control.getAttribute('aria-label') ??
          control.textContent?.trim() ??
          '';
        out.push(
          `${control.tagName.toLowerCase()} "${name.slice(0, 40)}" spans ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`,
        );
      }
    }
    return out;
  });
}

/** The dictionaries' key prefixes: text like `transfers.title` on a page is a key left untranslated. */
const KEY_PREFIXES = [
  'app',
  'lang',
  'nav',
  'sign_in',
  'error',
  'status',
  'step_status',
  'step',
  'doctype',
  'waiting',
  'error_kind',
  'badge',
  'transfers',
  'live',
  'transfer',
  'change',
  'confirm',
  'instances',
  'preflight',
];
const KEY_MARKER = new RegExp(`\\b(?:${KEY_PREFIXES.join('|')})\\.[a-z_]+(?:\\.[a-z_]+)*\\b`, 'g');

/**
 * Missing-key markers in a page's text: a dictionary key shown as is, a `{placeholder}` left
 * unfilled, or `undefined` / `null` / `[object Object]` where words should be. `data`: texts the
 * page shows as data that look like keys (event types such as `transfer.requested`).
 */
export function missingKeyMarkers(text: string, data: readonly string[] = []): string[] {
  return [
    ...(text.match(KEY_MARKER) ?? []).filter((marker) => !data.includes(marker)),
    ...(text.match(/\{\w+\}/g) ?? []),
    ...(text.match(/\b(?:undefined|null|NaN)\b|\[object Object\]/g) ?? []),
  ];
}

/**
 * Every text the page shows or names, one per line: each text node of the body (outside scripts
 * and styles) and each `aria-label`, `placeholder` and `title` (what a missing-key check reads;
 * a plain `textContent` would run words of neighbouring elements together).
 */
export async function pageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    const out: string[] = [];
    for (const element of document.querySelectorAll('body *')) {
      if (element.closest('script, style') !== null) continue;
      for (const node of element.childNodes) {
        const text = node.nodeType === 3 ? (node.textContent ?? '').trim() : '';
        if (text !== '') out.push(text);
      }
      for (const name of ['aria-label', 'placeholder', 'title']) {
        const value = element.getAttribute(name);
        if (value !== null && value.trim() !== '') out.push(value.trim());
      }
    }
    return out.join('\n');
  });
}
