import { bench, describe } from 'vitest';
import { requestWithSerials } from './fixtures/requests.js';
import { validateTransferRequest } from './validate.js';

// Target: a request at the 100,000-serial cap validates in well under a second.
const atCap = requestWithSerials(100_000, 10);
const small = requestWithSerials(2, 1);

describe('validateTransferRequest', () => {
  bench('100,000 serials in 10 items', () => {
    if (!validateTransferRequest(atCap).ok) throw new Error('the benchmark request must be valid');
  });
  bench('2 serials (the plan example size)', () => {
    validateTransferRequest(small);
  });
});
