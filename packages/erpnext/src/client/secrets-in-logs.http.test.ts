import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpnextError } from '../errors/erpnext-error.js';
import { API_KEY, API_SECRET, purchaseOrder, SimSite } from '../test-support/sim-site.js';
import { ErpnextClient } from './erpnext-client.js';
import type { Logger } from './logger.js';

// Secrets never reach a log line: a client logging at debug level goes through every operation,
// retries, failures and a wrong secret, and no line carries the API key or secret.
describe('ErpnextClient logs', () => {
  let site: SimSite;
  beforeAll(async () => {
    site = await SimSite.start();
  });
  afterAll(() => site.close());

  it('carry neither the API key nor the secret, at debug level, whatever happens', async () => {
    const lines: string[] = [];
    const record = (level: string) => (obj: object, msg: string) => {
      lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
    };
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const client = new ErpnextClient(site.config(), { logger, retry: { baseDelayMs: 10 } });
    const wrongSecret = `${API_SECRET}-wrong`;
    const impostor = new ErpnextClient(site.config({ api_secret: wrongSecret }), { logger });
    try {
      await client.ping();
      const po = await client.insert('Purchase Order', purchaseOrder(), { submit: false });
      await client.get('Purchase Order', String(po.name));
      await client.list('Serial No', {
        filters: [['name', 'in', Array.from({ length: 500 }, (_, i) => `S-${i}`)]],
      });
      await client.submit(await client.get('Purchase Order', String(po.name)));
      await client.cancel('Purchase Order', String(po.name));
      await client.insert('Purchase Order', purchaseOrder({ supplier: 'Nadie' })).catch((e: unknown) => e);
      await site.setFaults({ rules: [{ error_rates: { '503': 1 }, times: 2 }] });
      await client.list('Company', {});
      const refused = await impostor.ping().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ErpnextError);
      expect((refused as ErpnextError).kind).toBe('auth');
      expect(JSON.stringify((refused as ErpnextError).toJSON())).not.toContain(wrongSecret);
    } finally {
      await client.close();
      await impostor.close();
    }
    expect(lines.length).toBeGreaterThan(5);
    const text = lines.join('\n');
    for (const secret of [API_KEY, API_SECRET, wrongSecret]) expect(text).not.toContain(secret);
  });
});
