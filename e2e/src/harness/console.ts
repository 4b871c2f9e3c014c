/**
 * What the console's browser tests share (docs/console.md, "Tests"): signing in through the
 * page's form, waiting for the tracker's read model, and searching every recorded response body
 * for what must never be in one.
 */
import type { Locator, Page } from 'playwright-core';
import type { RecordedResponse } from './browser.js';

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
    const view = await fetch(`${trackerUrl}/v1/transfers/${transferId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    last = view.ok ? String(((await view.json()) as { status?: string }).status) : `HTTP ${view.status}`;
    if (last === status) return;
    if (Date.now() > deadline)
      throw new Error(
        `the tracker did not show ${transferId} ${status} within ${timeoutMs} ms (last: ${last})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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

/** What the page runs its functions with (the e2e code is type-checked without the DOM library). */
interface PageGlobals {
  getComputedStyle(element: unknown): { getPropertyValue(name: string): string };
  document: {
    cookie: string;
    querySelectorAll(selector: string): ArrayLike<{ value?: string }>;
  };
  localStorage: PageStorage;
  sessionStorage: PageStorage;
}
interface PageStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}

/** The CSS mask of a field (`-webkit-text-security`: `disc` for a masked one, `none` otherwise). */
export async function textSecurityOf(field: Locator): Promise<string> {
  return field.evaluate((element) =>
    (globalThis as unknown as PageGlobals)
      .getComputedStyle(element)
      .getPropertyValue('-webkit-text-security'),
  );
}

/** Everything the page keeps in the browser: web storage (`key=value` lines), cookies, field values. */
export async function pageStorage(
  page: Page,
): Promise<{ local: string; session: string; cookie: string; values: string[] }> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    const all = (storage: PageStorage) =>
      Array.from({ length: storage.length }, (_, i) => {
        const key = storage.key(i) ?? '';
        return `${key}=${storage.getItem(key) ?? ''}`;
      }).join('\n');
    const values = Array.from(g.document.querySelectorAll('input, textarea'), (field) => field.value ?? '');
    return { local: all(g.localStorage), session: all(g.sessionStorage), cookie: g.document.cookie, values };
  });
}
