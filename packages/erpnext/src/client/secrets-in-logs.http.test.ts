import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpnextError } from '../errors/erpnext-error.js';
import { API_KEY, API_SECRET, purchaseOrder, SimSite } from '../test-support/sim-site.js';
import { ErpnextClient } from './erpnext-client.js';
import type { Logger } from './logger.js';

// Secrets never reach a log line: a client logging at debug level goes through every operation,
// retries, failures and a wrong secret, and no line carries the API key or secret. Nor a serial
// number ERPNext quotes in a refusal: it stays in `error.messages`, for the access-controlled
// failed event, and is in no log line, message, description or toJSON().

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (obj: object, msg: string) => {
    lines.push(`${level} ${msg} ${JSON.stringify(obj)}`);
  };
  return {
    lines,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  };
}

describe('ErpnextClient logs', () => {
  let site: SimSite;
  beforeAll(async () => {
    site = await SimSite.start();
  });
  afterAll(() => site.close());

  it('carry no serial number ERPNext quotes when it refuses a receipt (SerialNoDuplicateError)', async () => {
    const serial = 'PIN-9999-0001';
    const { logger, lines } = recordingLogger();
    const client = new ErpnextClient(site.config(), { logger, retry: { baseDelayMs: 10 } });
    let error: unknown;
    try {
      const po = await client.insert('Purchase Order', purchaseOrder(), { submit: true });
      const line = (po.items as Array<{ name: string }>)[0]?.name;
      const receipt = {
        supplier: 'Proveedor de Pines SA',
        company: 'Compania A',
        set_warehouse: 'Stores - CA',
        items: [
          {
            item_code: 'PIN-001',
            qty: 1,
            rate: 10.5,
            serial_no: serial,
            purchase_order: po.name,
            purchase_order_item: line,
          },
        ],
      };
      await client.insert('Purchase Receipt', receipt, { submit: true });
      error = await client.insert('Purchase Receipt', receipt, { submit: true }).catch((e: unknown) => e);
      // the serials of the receipt, read back: by POST, never in a URL
      await client.list('Serial No', { filters: [['name', 'in', [serial]]] });
    } finally {
      await client.close();
    }
    expect(error).toBeInstanceOf(ErpnextError);
    const refused = error as ErpnextError;
    expect([refused.kind, refused.status, refused.excType]).toEqual([
      'permanent',
      417,
      'SerialNoDuplicateError',
    ]);
    expect(refused.messages.join(' ')).toContain(serial);
    expect(lines.some((l) => l.includes('insert Purchase Receipt failed'))).toBe(true);
    const views = {
      logs: lines.join('\n'),
      message: refused.message,
      describe: refused.describe(),
      toJSON: JSON.stringify(refused.toJSON()),
      stringify: JSON.stringify(refused),
      stack: String(refused.stack),
    };
    for (const [view, text] of Object.entries(views)) {
      expect({ view, hasSerial: text.includes(serial) || text.includes('PIN-9999') }).toEqual({
        view,
        hasSerial: false,
      });
    }
  });

  it('carry neither the API key nor the secret, at debug level, whatever happens', async () => {
    const { logger, lines } = recordingLogger();
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
