import { StepFailure, TransientStepError } from '@interco/bus';
import type { PreflightReport } from '@interco/erpnext';
import { createLogger } from '@interco/service';
import { describe, expect, it } from 'vitest';
import { checkPreflight, poA } from './step.js';

const ctx = {
  record: { instances: { a: 'erp-a', b: 'erp-b' } },
  logger: createLogger('po-a-test', { level: 'silent' }),
};
const resolved = { company_b: 'Compania B', selling_price_list: 'Standard Selling' };

function report(problems: PreflightReport['problems']): PreflightReport {
  return { ok: problems.length === 0, problems, resolved };
}

describe('po-a', () => {
  it('is the Purchase Order step in company A', () => {
    expect(poA).toMatchObject({ step: 'po_a', service: 'po-a', instance: 'a', doctype: 'Purchase Order' });
  });

  it('lets a clean preflight through', () => {
    expect(() => checkPreflight(report([]), ctx)).not.toThrow();
  });

  it('fails the transfer with every problem, one line each naming the company and its instance', () => {
    const error = catchError(() =>
      checkPreflight(
        report([
          {
            instance: 'a',
            check: 'company_missing',
            path: 'company_a_name',
            message: 'no company X in instance A',
          },
          { instance: 'b', check: 'po_required', message: 'Buying Settings require a PO' },
        ]),
        ctx,
      ),
    );
    expect(error).toBeInstanceOf(StepFailure);
    expect(error).toMatchObject({
      retryable: true,
      messages: [
        'company A (erp-a): no company X in instance A',
        'company B (erp-b): Buying Settings require a PO',
      ],
    });
  });

  it('tries again later when an instance could not be reached or read', () => {
    for (const check of ['instance_unreachable', 'read_failed'] as const) {
      const error = catchError(() =>
        checkPreflight(
          report([
            { instance: 'b', check, message: 'instance B (erp-b) cannot be used' },
            { instance: 'a', check: 'item_missing', message: 'no item' },
          ]),
          ctx,
        ),
      );
      expect(error).toBeInstanceOf(TransientStepError);
      expect((error as TransientStepError).messages).toHaveLength(2);
    }
  });
});

function catchError(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
