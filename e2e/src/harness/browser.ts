/**
 * Headless Chromium for the browser tests (docs/console.md, "Tests"): Debian's `chromium`
 * (installed by scripts/setup.sh), driven by playwright-core with `executablePath` (playwright's
 * own browser download does not work here). Every response the page receives is recorded (URL,
 * status, content type, body text) so a test can search them all for secrets; screenshots go to
 * `e2e/screenshots/<test>-<name>.png` (not committed).
 */
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page, type Response } from 'playwright-core';

/** Where the screenshots go (`.gitignore`d). */
const SCREENSHOTS_DIR = fileURLToPath(new URL('../../screenshots/', import.meta.url));

/**
 * The flags Chromium needs on these machines: no sandbox (root), no GPU, and none of its own
 * network traffic (updates, sync, QUIC), which the closed network refuses. playwright-core adds
 * `--headless` and a fresh `--user-data-dir` of its own (deleted on close).
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.CHROMIUM_PATH?.trim();
  return given === undefined || given === '' ? '/usr/bin/chromium' : given;
}

/** Whether Chromium can be run: its path, or why not (a sentence for a skipped test). */
function chromiumAvailability(
  env: NodeJS.ProcessEnv = process.env,
): { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string } {
  const path = chromiumPath(env);
  try {
    accessSync(path, constants.X_OK);
    return { ok: true, path };
  } catch {
    return {
      ok: false,
      reason: `no Chromium at ${path}: run scripts/setup.sh as root (it installs Debian's chromium), or set CHROMIUM_PATH`,
    };
  }
}

/**
 * Whether a browser test may skip: only when Chromium is missing and this is not CI (in CI a
 * missing browser must fail the run, not hide it).
 */
export function browserTestsSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const available = chromiumAvailability(env);
  if (available.ok || (env.CI !== undefined && env.CI !== '' && env.CI !== 'false')) return undefined;
  return available.reason;
}

/** One response the page received. `text` is undefined for a body that could not be read (a redirect). */
export interface RecordedResponse {
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  text: string | undefined;
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every response so far, in the order they arrived (bodies filled in as they are read). */
  readonly responses: readonly RecordedResponse[];
  /** Messages the page logged as errors, uncaught exceptions and CSP violations. */
  readonly pageErrors: readonly string[];
  /**
   * Waits until every body that can still be read has been (default at most 10 s), then answers
   * the responses. A server-sent event stream (the live feed) holds what it has sent so far (its
   * chunks are recorded as they arrive); a body that could not be read has `text` undefined.
   */
  settled(timeoutMs?: number): Promise<readonly RecordedResponse[]>;
  /** The recorded responses whose body (or URL) contains `needle`. */
  containing(needle: string): RecordedResponse[];
  /** Saves a full-page screenshot as `e2e/screenshots/<test>-<name>.png`; answers the path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface OpenBrowserOptions {
  /** Names the screenshots (`<test>-<name>.png`): letters, digits and dashes. */
  readonly testName: string;
  /** The viewport (default 1366x768, the laptop screen the console is made for). */
  readonly viewport?: { readonly width: number; readonly height: number };
  /** The browser's language (default en-US). */
  readonly locale?: string;
  /** The browser's time zone, an IANA name (default: this machine's). */
  readonly timezoneId?: string;
}

const SAFE_NAME = /^[a-z0-9][a-z0-9-]{0,80}$/;

/**
 * Starts Chromium (CHROMIUM_PATH or /usr/bin/chromium, headless, with CHROMIUM_FLAGS) and opens
 * one page whose every response is recorded. Close it in `afterAll`.
 */
export async function openBrowser(options: OpenBrowserOptions): Promise<BrowserSession> {
  if (!SAFE_NAME.test(options.testName)) throw new Error(`not a test name for files: ${options.testName}`);
  const available = chromiumAvailability();
  if (!available.ok) throw new Error(available.reason);
  const browser = await chromium.launch({
    executablePath: available.path,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  try {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1366, height: 768 },
      locale: options.locale ?? 'en-US',
      ...(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId }),
    });
    const page = await context.newPage();
    const responses: RecordedResponse[] = [];
    const reads = new Set<Promise<void>>();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      // A stream (the live feed) never ends while the page is open: recorded below, as it comes.
      if (isEventStream(response.headers()['content-type'])) return;
      const entry = recordOf(response);
      responses.push(entry);
      const read = readBody(response, entry).finally(() => reads.delete(read));
      reads.add(read);
    });
    await recordStreams(context, page, responses);

    const settled = async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (reads.size > 0 && Date.now() < deadline) {
        await Promise.race([
          Promise.allSettled([...reads]),
          new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
        ]);
      }
      return responses;
    };

    return {
      browser,
      context,
      page,
      responses,
      pageErrors,
      settled,
      containing: (needle) =>
        responses.filter((entry) => entry.url.includes(needle) || (entry.text ?? '').includes(needle)),
      screenshot: async (name) => {
        if (!SAFE_NAME.test(name)) throw new Error(`not a screenshot name: ${name}`);
        await mkdir(SCREENSHOTS_DIR, { recursive: true });
        const path = `${SCREENSHOTS_DIR}${options.testName}-${name}.png`;
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      close: async () => {
        await context.close().catch(() => undefined);
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

function isEventStream(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('text/event-stream');
}

/**
 * Server-sent event streams, recorded as they arrive through the DevTools protocol (a stream's
 * body cannot be read before it ends): each is one entry whose `text` grows with every chunk.
 */
async function recordStreams(
  context: BrowserContext,
  page: Page,
  responses: RecordedResponse[],
): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const streams = new Map<string, RecordedResponse>();
  const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');
  cdp.on('Network.responseReceived', (event) => {
    const headers = Object.fromEntries(
      Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
    );
    if (!isEventStream(event.response.mimeType) && !isEventStream(headers['content-type'])) return;
    const entry: RecordedResponse = {
      url: event.response.url,
      method: 'GET',
      status: event.response.status,
      contentType: headers['content-type'] ?? event.response.mimeType,
      headers,
      text: '',
    };
    responses.push(entry);
    streams.set(event.requestId, entry);
    cdp
      .send('Network.streamResourceContent', { requestId: event.requestId })
      .then((buffered) => {
        entry.text = decode(buffered.bufferedData) + (entry.text ?? '');
      })
      .catch(() => undefined);
  });
  cdp.on('Network.dataReceived', (event) => {
    const entry = streams.get(event.requestId);
    if (entry !== undefined && event.data !== undefined) entry.text = (entry.text ?? '') + decode(event.data);
  });
}

function recordOf(response: Response): RecordedResponse {
  const headers = response.headers();
  return {
    url: response.url(),
    method: response.request().method(),
    status: response.status(),
    contentType: headers['content-type'] ?? '',
    headers,
    text: undefined,
  };
}

async function readBody(response: Response, entry: RecordedResponse): Promise<void> {
  // A redirect, or a page closed meanwhile, has no body to read.
  if (response.status() >= 300 && response.status() < 400) return;
  try {
    entry.text = await response.text();
  } catch {
    entry.text = undefined;
  }
}
