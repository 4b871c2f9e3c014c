import type { AddressInfo } from 'node:net';
import { buildSiteApp } from '../http/site-app.js';
import { Site, type SiteSetup } from '../sites/site.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON. */
  body: Record<string, unknown> & { data?: unknown; message?: unknown };
  text: string;
}

/** One site served on a free port of 127.0.0.1, with a client that speaks Frappe's REST API. */
export class TestSite {
  private constructor(
    readonly site: Site,
    readonly url: string,
    private readonly closeServer: () => Promise<void>,
    private authorization: string | undefined,
  ) {}

  static async start(setup: SiteSetup): Promise<TestSite> {
    const site = new Site(setup);
    const app = buildSiteApp(site);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const [user] = setup.users;
    const auth = user ? `token ${user.apiKey}:${user.apiSecret}` : undefined;
    return new TestSite(site, `http://127.0.0.1:${port}`, () => app.close(), auth);
  }

  close(): Promise<void> {
    return this.closeServer();
  }

  /** A client of the same site with other credentials (undefined: no Authorization header). */
  as(authorization: string | undefined): TestSite {
    return new TestSite(this.site, this.url, async () => {}, authorization);
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.authorization !== undefined)
      (init.headers as Record<string, string>).Authorization = this.authorization;
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, init);
    const text = await response.text();
    let parsed: Answer['body'];
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      parsed = {};
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  post(path: string, body?: unknown): Promise<Answer> {
    return this.request('POST', path, body ?? {});
  }

  put(path: string, body: unknown): Promise<Answer> {
    return this.request('PUT', path, body);
  }

  delete(path: string): Promise<Answer> {
    return this.request('DELETE', path);
  }

  /** POST /api/resource/{doctype}; the created document. */
  async insert(
    doctype: string,
    doc: Record<string, unknown>,
  ): Promise<Record<string, unknown> & { name: string }> {
    const answer = await this.post(`/api/resource/${encodeURIComponent(doctype)}`, doc);
    if (answer.status !== 200) throw new Error(`insert ${doctype} failed: ${answer.status} ${answer.text}`);
    return answer.body.data as Record<string, unknown> & { name: string };
  }

  async getDoc(doctype: string, name: string): Promise<Record<string, unknown> & { name: string }> {
    const answer = await this.get(`/api/resource/${encodeURIComponent(doctype)}/${encodeURIComponent(name)}`);
    if (answer.status !== 200)
      throw new Error(`get ${doctype} ${name} failed: ${answer.status} ${answer.text}`);
    return answer.body.data as Record<string, unknown> & { name: string };
  }
}

/** `_server_messages` decoded twice: the messages ERPNext showed. */
export function serverMessages(answer: Answer): string[] {
  const raw = answer.body._server_messages;
  if (typeof raw !== 'string') return [];
  return (JSON.parse(raw) as string[]).map((entry) => (JSON.parse(entry) as { message: string }).message);
}
