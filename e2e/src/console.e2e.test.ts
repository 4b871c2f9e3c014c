/**
 * The operations console in headless Chromium against the real stack (docs/console.md, "Tests"):
 * the tracker serves it with its CSP, names intake in config.json, answers whoami; intake answers
 * the console's cross-origin calls (and nobody else's); every response body the browser received
 * is searched for the tokens, the instances' credentials and, read with a token without
 * `serials:read`, the transfer's serials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserTestsSkipReason, openBrowser } from './harness/browser.js';
import { bodiesContaining, mintToken, secretsOf, signIn, waitForTrackerStatus } from './harness/console.js';
import { type Pipeline, startPipeline } from './harness/pipeline.js';
import { demoTransfer } from './harness/requests.js';

const skipReason = browserTestsSkipReason();
const suite = skipReason === undefined ? describe : describe.skip;

/** What a fetch made from the page answered (or the error it failed with). */
type PageFetch = { ok: true; status: number; text: string } | { ok: false; error: string };

let pipeline: Pipeline;
let browser: BrowserSession;
let tracker: string;
let reader: string;
let transferId: string;
let serials: string[];

suite(`the console in Chromium${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`, () => {
  beforeAll(async () => {
    pipeline = await startPipeline({ console: true });
    tracker = pipeline.tracker?.url ?? '';
    reader = await mintToken(pipeline, 'console-reader', ['transfers:read']);
    const body = demoTransfer();
    serials = body.items.flatMap((item) => item.serials);
    transferId = await pipeline.submit(body);
    await pipeline.waitFor(transferId, (state) => state.status === 'completed');
    // The tracker's read model catches up on its own.
    await waitForTrackerStatus(tracker, reader, transferId, 'completed');
    browser = await openBrowser({ testName: 'console' });
  });

  afterAll(async () => {
    await browser?.close();
    await pipeline?.close();
  });

  /** A fetch from the page: the browser's own CORS and CSP apply. */
  const pageFetch = (url: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    browser.page.evaluate(
      async ({ url, method, token, body }): Promise<PageFetch> => {
        try {
          const headers: Record<string, string> = {};
          if (token !== undefined) headers.authorization = `Bearer ${token}`;
          if (body !== undefined) headers['content-type'] = 'application/json';
          const answer = await fetch(url, {
            method: method ?? 'GET',
            headers,
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          return { ok: true, status: answer.status, text: await answer.text() };
        } catch (error) {
          return { ok: false, error: String(error) };
        }
      },
      { url, method: init.method, token: init.token, body: init.body },
    );

  it('serves the console page with its CSP and security headers, and saves a screenshot', async () => {
    const answer = await browser.page.goto(`${tracker}/console/?lang=en`);
    expect(answer?.status()).toBe(200);
    const headers = answer?.headers() ?? {};
    expect(headers['content-security-policy']).toBe(
      `default-src 'self'; connect-src 'self' ${pipeline.intake.url}; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'`,
    );
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['cache-control']).toBe('no-cache');
    expect(new URL(browser.page.url()).pathname).toBe('/console/');
    // Every file the page loaded came from the tracker, each with the console's headers.
    await browser.settled();
    const own = browser.responses.filter((entry) => entry.url.startsWith(`${tracker}/console/`));
    expect(own.length).toBeGreaterThan(0);
    for (const entry of own) {
      expect(entry.status, entry.url).toBeLessThan(400);
      expect(entry.headers['x-content-type-options'], entry.url).toBe('nosniff');
    }
    expect(browser.responses.every((entry) => entry.url.startsWith(tracker))).toBe(true);
    await browser.screenshot('sign-in');
  });

  it('reads config.json and whoami from the page: where intake is, who the token is', async () => {
    const config = await pageFetch('config.json');
    expect(config).toMatchObject({ ok: true, status: 200 });
    expect(config.ok && JSON.parse(config.text)).toEqual({ intake_url: pipeline.intake.url });
    const admin = await pageFetch('/v1/auth/whoami', { token: pipeline.admin });
    expect(admin.ok && JSON.parse(admin.text)).toEqual({ name: 'bootstrap', scopes: ['admin'] });
    const read = await pageFetch('/v1/auth/whoami', { token: reader });
    expect(read.ok && JSON.parse(read.text)).toEqual({ name: 'console-reader', scopes: ['transfers:read'] });
    expect(await pageFetch('/v1/auth/whoami', { token: `${reader.slice(0, -3)}xyz` })).toMatchObject({
      ok: true,
      status: 401,
    });
  });

  it('calls intake across origins from the console (preflight included), errors readable too', async () => {
    // A page reads a cross-origin answer only when CORS allows it: else the fetch fails (TypeError).
    const instances = await pageFetch(`${pipeline.intake.url}/v1/instances`, { token: reader });
    expect(instances).toMatchObject({ ok: true, status: 200 });
    expect(instances.ok && JSON.parse(instances.text)).toEqual({
      instances: [
        { id: 'company-a', name: expect.any(String), base_url: pipeline.a.url },
        { id: 'company-b', name: expect.any(String), base_url: pipeline.b.url },
      ],
    });
    // A write with a JSON body: preflighted; refused (a completed transfer is not retried) and readable.
    const retry = await pageFetch(`${pipeline.intake.url}/v1/transfers/${transferId}/retry`, {
      method: 'POST',
      token: pipeline.admin,
      body: { reason: 'from the console test' },
    });
    expect(retry).toMatchObject({ ok: true, status: 409 });
    const refused = await pageFetch(`${pipeline.intake.url}/v1/instances`, { token: 'ick_nope' });
    expect(refused).toMatchObject({ ok: true, status: 401 });
    // What the browser saw: the preflight, then the answers, each naming the console's origin.
    await browser.settled();
    const fromIntake = browser.responses.filter((entry) => entry.url.startsWith(pipeline.intake.url));
    expect(fromIntake.map((entry) => `${entry.method} ${entry.status}`)).toEqual(
      expect.arrayContaining(['GET 200', 'POST 409', 'GET 401']),
    );
    for (const entry of fromIntake) {
      expect(entry.headers['access-control-allow-origin'], entry.url).toBe(tracker);
      expect(entry.headers.vary, entry.url).toMatch(/Origin/);
    }
  });

  it('lets the console reach nothing but its own origin and intake (CSP), and intake answers no other origin', async () => {
    // A no-cors fetch needs no CORS header (its answer would come back opaque): only the CSP's
    // connect-src refuses it, and the browser reports the violation naming that directive.
    const elsewhere = `${pipeline.a.url}/api/method/ping`;
    const blocked = await browser.page.evaluate(async (url) => {
      const g = globalThis as unknown as {
        addEventListener(
          type: string,
          listener: (event: { violatedDirective: string; blockedURI: string }) => void,
        ): void;
      };
      const violations: string[] = [];
      g.addEventListener('securitypolicyviolation', (event) => {
        violations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
      let outcome: string;
      try {
        const answer = await fetch(url, { mode: 'no-cors' });
        outcome = `answered (${answer.type})`;
      } catch (error) {
        outcome = `refused: ${String(error)}`;
      }
      // The violation event is queued as a task: let it run.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { outcome, violations };
    }, elsewhere);
    expect(blocked.outcome).toMatch(/^refused: TypeError/);
    expect(blocked.violations).toEqual([`connect-src ${elsewhere}`]);
    const other = await browser.context.newPage();
    try {
      await other.goto(`${pipeline.a.url}/`);
      const fromSite = await other.evaluate(async (url) => {
        try {
          const answer = await fetch(url, { headers: { authorization: 'Bearer ick_nope' } });
          return `answered ${answer.status}`;
        } catch (error) {
          return `refused: ${String(error)}`;
        }
      }, `${pipeline.intake.url}/v1/instances`);
      expect(fromSite).toMatch(/^refused: TypeError/);
    } finally {
      await other.close();
    }
  });

  it('shows a token without serials:read the transfer, never its serials', async () => {
    const view = await pageFetch(`/v1/transfers/${transferId}`, { token: reader });
    expect(view).toMatchObject({ ok: true, status: 200 });
    const events = await pageFetch(`/v1/transfers/${transferId}/events`, { token: reader });
    expect(events).toMatchObject({ ok: true, status: 200 });
    const serialsPage = await pageFetch(`/v1/transfers/${transferId}/serials`, { token: reader });
    expect(serialsPage).toMatchObject({ ok: true, status: 403 });
    await browser.screenshot('after-reads');
  });

  it('received no body with a token, an instance credential or a serial (every response recorded)', async () => {
    // The console itself opens the transfer for the token without serials:read, so what it
    // fetched (the transfer, its events, the live stream, intake's instances) is searched too.
    const from = browser.responses.length;
    await browser.page.goto(`${tracker}/console/?lang=en#/transfers/${transferId}`);
    await signIn(browser.page, reader);
    await browser.page.locator('[data-testid="step-pr_b"]').waitFor({ state: 'visible', timeout: 15_000 });
    // The list after the transfer page: intake's instances were asked once for the session.
    await browser.page.locator('nav.main-nav a[href="#/transfers"]').click();
    await browser.page
      .locator('[data-testid="transfer-row"]')
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    const responses = await browser.settled();
    const instancesAsked = responses
      .slice(from)
      .filter((entry) => entry.method === 'GET' && entry.url === `${pipeline.intake.url}/v1/instances`);
    expect(instancesAsked).toHaveLength(1);
    // The recording holds what the page fetched, across origins too, with the bodies read.
    for (const path of [
      '/console/config.json',
      '/v1/auth/whoami',
      '/v1/instances',
      `/v1/transfers/${transferId}`,
    ]) {
      const found = responses.filter(
        (entry) => new URL(entry.url).pathname === path && entry.method === 'GET',
      );
      expect(found.length, path).toBeGreaterThan(0);
      expect(
        found.every((entry) => entry.text !== undefined && entry.text.length > 0),
        path,
      ).toBe(true);
    }
    for (const [what, secret] of Object.entries(secretsOf(pipeline, { 'the reader token': reader }))) {
      expect(bodiesContaining(responses, secret), what).toEqual([]);
    }
    // The transfer was opened, and read, with the token without serials:read only.
    expect(serials.length).toBeGreaterThan(0);
    for (const serial of serials) expect(bodiesContaining(responses, serial), 'a serial').toEqual([]);
    expect(responses.every((entry) => !/api_(key|secret)"\s*:/.test(entry.text ?? ''))).toBe(true);
  });
});
