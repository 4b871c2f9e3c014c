import { afterAll, beforeAll, bench, describe } from 'vitest';
import { purchaseOrder, purchaseReceipt, serials } from './test-support/documents.js';
import { companyASetup } from './test-support/master-data.js';
import { TestSite } from './test-support/sim-client.js';

// Requests per second (the hz column) the simulator serves on this machine, one client at a time.
let site: TestSite;
let batch = 0;

beforeAll(async () => {
  site = await TestSite.start(companyASetup('bench'));
});
afterAll(() => site?.close());

describe('erpnext-sim', () => {
  bench(
    'GET /api/resource/Company/Compania A',
    async () => {
      const answer = await site.get('/api/resource/Company/Compania%20A');
      if (answer.status !== 200) throw new Error(answer.text);
    },
    { time: 2000 },
  );

  bench(
    'POST Purchase Receipt with 1,000 serials (inserted and submitted)',
    async () => {
      batch++;
      const order = await site.insert('Purchase Order', {
        ...purchaseOrder({}, { qty: 1000 }),
        docstatus: 1,
      });
      const answer = await site.post('/api/resource/Purchase Receipt', {
        ...purchaseReceipt(order, serials(`B${batch}`, 1000)),
        docstatus: 1,
      });
      if (answer.status !== 200) throw new Error(answer.text);
    },
    { time: 4000, iterations: 5 },
  );
});
