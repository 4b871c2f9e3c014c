import { freePort } from '@interco/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErpnextConfigError } from '../errors/config-error.js';
import { ErpnextError, type MarkerField } from '../errors/erpnext-error.js';
import { rejection as rejectionOf } from '../test-support/rejection.js';
import { API_SECRET, count, purchaseOrder, SimSite, sleep } from '../test-support/sim-site.js';
import { ErpnextClient, type ErpnextClientOptions } from './erpnext-client.js';
import type { Logger } from './logger.js';

// The transient rows of the classification table against a simulated site with injected faults,
// and what the client does about them: retries reads (never writes), caps requests in flight,
// opens its breaker on bursts of failures and refuses without reaching the site while open.

const MARKER: MarkerField = { fieldname: 'custom_interco_marker', label: 'Interco Marker' };
const PO_WRITES = { doctype: 'Purchase Order', http_method: 'POST' };

function recordingLogger(): Logger & { lines: Array<{ level: string; obj: object; msg: string }> } {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const at = (level: string) => (obj: object, msg: string) => {
    lines.push({ level, obj, msg });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const rejection = (promise: Promise<unknown>) => rejectionOf(promise, ErpnextError);

describe('ErpnextClient under faults', () => {
  let site: SimSite;
  const clients: ErpnextClient[] = [];
  const make = (overrides: Parameters<SimSite['config']>[0] = {}, options: ErpnextClientOptions = {}) => {
    const client = new ErpnextClient(site.config(overrides), { retry: { baseDelayMs: 20 }, ...options });
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    site = await SimSite.start();
  });
  beforeEach(() => site.reset());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => site.close());

  async function installMarker(client: ErpnextClient): Promise<void> {
    await client.insert('Custom Field', {
      dt: 'Purchase Order',
      label: 'Interco Marker',
      fieldtype: 'Data',
      unique: 1,
    });
  }
  const byMarker = (client: ErpnextClient, marker: string) =>
    client.list('Purchase Order', { filters: { custom_interco_marker: marker, docstatus: ['!=', 2] } });

  describe('lost answers', () => {
    it('commit-then-drop on insert: a transient error with an unknown outcome; the document exists', async () => {
      const client = make();
      await installMarker(client);
      await site.setFaults({ rules: [{ match: PO_WRITES, commit_then_drop: true, times: 1 }] });
      const error = await rejection(
        client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'tr_9:po_a:0' }), {
          marker: MARKER,
        }),
      );
      expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['transient', 'network', true]);
      expect(error.status).toBeUndefined();
      expect(count(await site.requests(), 'POST /api/resource/:doctype')).toBe(2); // the Custom Field, then the PO
      const found = await byMarker(client, 'tr_9:po_a:0');
      expect(found).toHaveLength(1);
      // inserting again is refused by the marker: the conflict points at the same document
      const again = await rejection(
        client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'tr_9:po_a:0' }), {
          marker: MARKER,
        }),
      );
      expect(again.kind).toBe('conflict');
    });

    it('slow commit: a lookup before the commit finds nothing, after it finds the document', async () => {
      const client = make();
      await installMarker(client);
      await site.setFaults({ rules: [{ match: PO_WRITES, slow_commit_ms: 600, times: 1 }] });
      const pending = client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'slow-1' }), {
        marker: MARKER,
      });
      await sleep(150);
      expect(await byMarker(client, 'slow-1')).toEqual([]);
      const inserted = await pending;
      expect(await byMarker(client, 'slow-1')).toEqual([{ name: inserted.name }]);
    });

    // Interco's rule: write timeout > worker timeout (the config is refused otherwise). The site's
    // worker timeout (the simulator's faults) and the config's are kept the same here.
    const SHORT_TIMEOUTS = { worker_timeout_ms: 1_000, write_timeout_ms: 1_500 };

    it('a write slower than the worker timeout: the site kills it (504, rolled back) before the client gives up', async () => {
      const client = make(SHORT_TIMEOUTS);
      await installMarker(client);
      await site.setFaults({
        worker_timeout_ms: SHORT_TIMEOUTS.worker_timeout_ms,
        rules: [{ match: PO_WRITES, slow_commit_ms: 2_500, times: 1 }],
      });
      const started = Date.now();
      const error = await rejection(
        client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'late-1' }), {
          marker: MARKER,
        }),
      );
      expect([error.kind, error.reason, error.status, error.outcomeUnknown]).toEqual([
        'transient',
        'gateway',
        504,
        true,
      ]);
      expect(Date.now() - started).toBeLessThan(SHORT_TIMEOUTS.write_timeout_ms);
      // when the client has its answer the site has rolled back: the lookup tells the truth
      expect(await byMarker(client, 'late-1')).toEqual([]);
      await sleep(2_600 - (Date.now() - started));
      expect(await byMarker(client, 'late-1')).toEqual([]);
    });

    it('a write queued behind busy workers past the write timeout: transient timeout, outcome unknown; it commits later', async () => {
      const client = make(SHORT_TIMEOUTS);
      const other = make({ ...SHORT_TIMEOUTS, id: 'company-a-other' });
      await installMarker(client);
      // one worker, kept busy by three slow reads (each within the worker timeout): the insert
      // waits in the queue (gunicorn's backlog), where the worker timeout does not run
      await site.setFaults({
        workers: 1,
        worker_timeout_ms: SHORT_TIMEOUTS.worker_timeout_ms,
        rules: [{ match: { http_method: 'GET' }, latency_ms: 900, times: 3 }],
      });
      const busy = Promise.all([other.ping(), other.ping(), other.ping()]);
      await sleep(50);
      const started = Date.now();
      const error = await rejection(
        client.insert('Purchase Order', purchaseOrder({ custom_interco_marker: 'queued-1' }), {
          marker: MARKER,
        }),
      );
      expect([error.kind, error.reason, error.outcomeUnknown]).toEqual(['transient', 'timeout', true]);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(await site.documents('Purchase Order')).toEqual([]); // still queued
      expect(await busy).toEqual(['interco@a.test', 'interco@a.test', 'interco@a.test']);
      let found: unknown[] = [];
      for (let i = 0; i < 40 && found.length === 0; i++) {
        await sleep(100);
        found = await byMarker(client, 'queued-1');
      }
      expect(found).toHaveLength(1);
    });
  });

  describe('retries', () => {
    it('reads are retried: a 503 twice, then the answer (3 GETs)', async () => {
      const logger = recordingLogger();
      const client = make({}, { logger });
      await site.setFaults({
        rules: [{ match: { http_method: 'GET' }, error_rates: { '503': 1 }, times: 2 }],
      });
      expect((await client.get('Supplier', 'Proveedor de Pines SA')).name).toBe('Proveedor de Pines SA');
      expect(count(await site.requests(), 'GET /api/resource/:doctype/:name')).toBe(3);
      const retries = logger.lines.filter((l) => l.level === 'warn' && l.msg.includes('retrying'));
      expect(retries).toHaveLength(2);
      expect(JSON.stringify(logger.lines)).not.toContain(API_SECRET);
    });

    it('the POST of frappe.client.get_list is a read: retried', async () => {
      const client = make();
      await site.setFaults({
        rules: [{ match: { method: 'frappe.client.get_list' }, error_rates: { '503': 1 }, times: 1 }],
      });
      const names = Array.from({ length: 400 }, (_, i) => `NOPE-${String(i).padStart(8, '0')}`);
      expect(await client.list('Item', { filters: [['name', 'in', [...names, 'PIN-001']]] })).toEqual([
        { name: 'PIN-001' },
      ]);
      expect(count(await site.requests(), 'POST /api/method/frappe.client.get_list')).toBe(2);
    });

    it('retries are bounded: a site that keeps failing gets maxAttempts GETs, then the error', async () => {
      const client = make({}, { retry: { maxAttempts: 3, baseDelayMs: 5 } });
      await site.setFaults({ rules: [{ match: { http_method: 'GET' }, error_rates: { '503': 1 } }] });
      const error = await rejection(client.ping());
      expect([error.kind, error.reason, error.status]).toEqual(['transient', 'unavailable', 503]);
      expect(count(await site.requests(), 'GET /api/method/frappe.auth.get_logged_user')).toBe(3);
    });

    it("writes are never retried: one POST per insert under nginx's 503s (outcome unknown)", async () => {
      const client = make();
      await site.setFaults({ rules: [{ match: PO_WRITES, error_rates: { '503': 1 } }] });
      const error = await rejection(client.insert('Purchase Order', purchaseOrder()));
      expect([error.kind, error.status, error.outcomeUnknown]).toEqual(['transient', 503, true]);
      expect(count(await site.requests(), 'POST /api/resource/:doctype')).toBe(1);
    });

    it('writes are never retried: submit, cancel and write calls are sent once', async () => {
      const client = make();
      const po = await client.insert('Purchase Order', purchaseOrder());
      const read = await client.get('Purchase Order', po.name);
      await site.setFaults({ rules: [{ match: { http_method: 'POST' }, error_rates: { '502': 1 } }] });
      await site.resetRequests();
      expect((await rejection(client.submit(read))).outcomeUnknown).toBe(true);
      expect((await rejection(client.cancel('Purchase Order', po.name))).reason).toBe('gateway');
      await rejection(client.call('frappe.client.insert', { doc: { doctype: 'Item' } }, { write: true }));
      const stats = await site.requests();
      expect(count(stats, 'POST /api/method/frappe.client.submit')).toBe(1);
      expect(count(stats, 'POST /api/method/frappe.client.cancel')).toBe(1);
      expect(count(stats, 'POST /api/method/frappe.client.insert')).toBe(1);
    });

    it('504 on a write: transient gateway, outcome unknown', async () => {
      const client = make();
      await site.setFaults({ rules: [{ match: PO_WRITES, error_rates: { '504': 1 } }] });
      const error = await rejection(client.insert('Purchase Order', purchaseOrder()));
      expect([error.kind, error.reason, error.status, error.outcomeUnknown]).toEqual([
        'transient',
        'gateway',
        504,
        true,
      ]);
    });
  });

  describe('deadlocks and lock timeouts', () => {
    it('500 QueryDeadlockError on a write: transient, rolled back, not retried', async () => {
      const client = make();
      await site.setFaults({ rules: [{ match: PO_WRITES, error_rates: { deadlock: 1 }, times: 1 }] });
      const error = await rejection(client.insert('Purchase Order', purchaseOrder()));
      expect([error.kind, error.reason, error.status, error.excType, error.outcomeUnknown]).toEqual([
        'transient',
        'deadlock',
        500,
        'QueryDeadlockError',
        false,
      ]);
      expect(await site.documents('Purchase Order')).toEqual([]);
      expect(count(await site.requests(), 'POST /api/resource/:doctype')).toBe(1);
    });

    it('500 QueryTimeoutError: transient', async () => {
      const client = make();
      await site.setFaults({ rules: [{ match: PO_WRITES, error_rates: { lock_timeout: 1 }, times: 1 }] });
      const error = await rejection(client.insert('Purchase Order', purchaseOrder()));
      expect([error.kind, error.reason, error.excType]).toEqual([
        'transient',
        'lock_timeout',
        'QueryTimeoutError',
      ]);
    });

    it('a deadlock on a read is retried', async () => {
      const client = make();
      await site.setFaults({
        rules: [{ match: { http_method: 'GET' }, error_rates: { deadlock: 1 }, times: 1 }],
      });
      expect(await client.ping()).toBe('interco@a.test');
      expect(count(await site.requests(), 'GET /api/method/frappe.auth.get_logged_user')).toBe(2);
    });
  });

  describe('429 with Retry-After', () => {
    it('is transient with retryAfterMs', async () => {
      const client = make({}, { retry: { maxAttempts: 1 } });
      await site.setFaults({
        rules: [{ match: { http_method: 'GET' }, error_rates: { '429': 1 }, retry_after_s: 2, times: 1 }],
      });
      const error = await rejection(client.ping());
      expect([error.kind, error.reason, error.status, error.excType, error.retryAfterMs]).toEqual([
        'transient',
        'rate_limited',
        429,
        'TooManyRequestsError',
        2_000,
      ]);
    });

    it('a read is retried after Retry-After, not before', async () => {
      const client = make({}, { random: () => 0 });
      await site.setFaults({
        rules: [{ match: { http_method: 'GET' }, error_rates: { '429': 1 }, retry_after_s: 1, times: 1 }],
      });
      const started = Date.now();
      expect(await client.ping()).toBe('interco@a.test');
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(count(await site.requests(), 'GET /api/method/frappe.auth.get_logged_user')).toBe(2);
    });

    it('a Retry-After longer than the retry budget ends the retries at once', async () => {
      const client = make({}, { retry: { maxTotalMs: 2_000 } });
      await site.setFaults({
        rules: [{ match: { http_method: 'GET' }, error_rates: { '429': 1 }, retry_after_s: 30, times: 1 }],
      });
      const error = await rejection(client.ping());
      expect(error.retryAfterMs).toBe(30_000);
      expect(count(await site.requests(), 'GET /api/method/frappe.auth.get_logged_user')).toBe(1);
    });
  });

  describe('circuit breaker', () => {
    const breaker = { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeout: 600 };

    it('a burst of 503s opens it; open, it refuses fast without reaching the site; then half-opens and closes', async () => {
      const client = make({}, { breaker, retry: { maxAttempts: 1 } });
      await site.setFaults({ rules: [{ error_rates: { '503': 1 } }] });
      for (let i = 0; i < 3; i++) expect((await rejection(client.ping())).status).toBe(503);
      const open = client.health().breaker;
      expect(open.state).toBe('open');
      expect(open.halfOpenAt).toBeGreaterThan(Date.now());

      await site.resetRequests();
      const refusals = await Promise.all(
        Array.from({ length: 10 }, () => rejection(client.get('Supplier', 'Proveedor de Pines SA'))),
      );
      for (const refused of refusals) {
        expect([refused.kind, refused.reason, refused.status]).toEqual([
          'transient',
          'breaker_open',
          undefined,
        ]);
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(600);
      }
      expect((await rejection(client.insert('Purchase Order', purchaseOrder()))).reason).toBe('breaker_open');
      expect((await site.requests()).total).toBe(0);
      expect(client.health().breaker.refused).toBe(11);

      await site.setFaults({});
      await sleep(open.halfOpenAt === undefined ? 700 : open.halfOpenAt - Date.now() + 50);
      expect(client.health().breaker.state).toBe('half-open');
      expect(await client.ping()).toBe('interco@a.test');
      expect(client.health().breaker.state).toBe('closed');
      expect((await site.requests()).total).toBe(1);
    });

    it('a burst of 429s leaves it closed (the site is up, asking to slow down); a burst of 503s opens it', async () => {
      const limited = make({ id: 'limited' }, { breaker, retry: { maxAttempts: 1 } });
      await site.setFaults({ rules: [{ error_rates: { '429': 1 }, retry_after_s: 0 }] });
      for (let i = 0; i < 8; i++) {
        const error = await rejection(limited.ping());
        expect([error.kind, error.reason, error.status]).toEqual(['transient', 'rate_limited', 429]);
      }
      expect(limited.health().breaker).toMatchObject({
        state: 'closed',
        opened: 0,
        window: { failures: 0, fires: 8 },
      });
      await site.setFaults({ rules: [{ error_rates: { '503': 1 } }] });
      const unavailable = make({ id: 'unavailable' }, { breaker, retry: { maxAttempts: 1 } });
      for (let i = 0; i < 3; i++) expect((await rejection(unavailable.ping())).status).toBe(503);
      expect(unavailable.health().breaker).toMatchObject({ state: 'open', opened: 1 });
    });

    it('a read retried across an open breaker waits for the half-open and succeeds', async () => {
      const client = make({}, { breaker, retry: { maxAttempts: 5 } });
      await site.setFaults({
        rules: [{ match: { http_method: 'GET' }, error_rates: { '503': 1 }, times: 3 }],
      });
      expect(await client.ping()).toBe('interco@a.test');
      expect(client.health().breaker).toMatchObject({ state: 'closed', opened: 1 });
      expect(count(await site.requests(), 'GET /api/method/frappe.auth.get_logged_user')).toBe(4);
    });

    it('a failed trial opens it again', async () => {
      const client = make({}, { breaker: { ...breaker, resetTimeout: 200 }, retry: { maxAttempts: 1 } });
      await site.setFaults({ rules: [{ error_rates: { '502': 1 } }] });
      for (let i = 0; i < 3; i++) await rejection(client.ping());
      await sleep(250);
      expect((await rejection(client.ping())).status).toBe(502);
      expect(client.health().breaker).toMatchObject({ state: 'open', opened: 2 });
    });

    it('each instance has its own breaker', async () => {
      const failing = make({ id: 'one' }, { breaker, retry: { maxAttempts: 1 } });
      const other = make({ id: 'two' }, { breaker });
      await site.setFaults({ rules: [{ error_rates: { '503': 1 }, times: 3 }] });
      for (let i = 0; i < 3; i++) await rejection(failing.ping());
      expect(failing.health().breaker.state).toBe('open');
      expect(await other.ping()).toBe('interco@a.test');
      expect(other.health().breaker.state).toBe('closed');
    });
  });

  describe('in-flight cap', () => {
    it('20 concurrent reads with max_in_flight 3: the site never sees more than 3 at once', async () => {
      const client = make({ max_in_flight: 3 });
      await site.setFaults({ workers: 0, rules: [{ latency_ms: 100 }] });
      await site.resetRequests();
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0 ? client.get('Item', 'PIN-001') : client.list('Item', { fields: ['name'] }),
        ),
      );
      expect(answers).toHaveLength(20);
      const stats = await site.requests();
      expect(stats.total).toBe(20);
      expect(stats.pool.size).toBe(0);
      expect(stats.pool.max_busy).toBeLessThanOrEqual(3);
      expect(stats.pool.max_busy).toBe(3);
      expect(stats.pool.max_queued).toBe(0);
      expect(client.health().inFlight).toMatchObject({ limit: 3, current: 0, queued: 0, maxSeen: 3 });
    });

    it('without a low cap the same burst overlaps more (the check above is not vacuous)', async () => {
      const client = make({ max_in_flight: 20 });
      await site.setFaults({ workers: 0, rules: [{ latency_ms: 100 }] });
      await site.resetRequests();
      await Promise.all(Array.from({ length: 20 }, () => client.get('Item', 'PIN-001')));
      expect((await site.requests()).pool.max_busy).toBeGreaterThan(3);
    });
  });

  describe('unreachable and misconfigured instances', () => {
    it('a closed port: transient network error (reads after their retries; writes at once, outcome known)', async () => {
      const port = await freePort();
      const client = make(
        { base_url: `http://127.0.0.1:${port}` },
        { retry: { maxAttempts: 2, baseDelayMs: 5 } },
      );
      const error = await rejection(client.ping());
      expect([error.kind, error.reason, error.status]).toEqual(['transient', 'network', undefined]);
      expect(error.detail).toContain('ECONNREFUSED');
      const write = await rejection(client.insert('Purchase Order', purchaseOrder()));
      expect([write.kind, write.outcomeUnknown]).toEqual(['transient', false]);
      expect(write.message).not.toContain(API_SECRET);
    });

    it.each([
      ['not a url', 'is not a valid URL'],
      ['ftp://127.0.0.1:1', 'must use http or https'],
      ['http://admin:pw-123@127.0.0.1:1', 'must not contain credentials'],
    ])('a malformed base_url (%j) is refused when the client is constructed', (baseUrl, message) => {
      let thrown: unknown;
      try {
        make({ base_url: baseUrl });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ErpnextConfigError);
      const text = String((thrown as Error).message);
      expect(text).toContain('base_url');
      expect(text).toContain(message);
      expect(text).not.toContain(API_SECRET);
      expect(text).not.toContain('pw-123');
    });
  });
});
