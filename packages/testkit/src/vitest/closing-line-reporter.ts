import type { Reporter, SerializedError, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

/**
 * Prints `tests: N passed, N failed[, N skipped]` as the run's last line; when the run failed
 * without a failed test (a file that did not load, an unhandled error), it says so too.
 */
export default class ClosingLineReporter implements Reporter {
  #benchmark = false;

  onInit(vitest: Vitest): void {
    this.#benchmark = vitest.mode === 'benchmark';
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    _unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const count = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        if ('benchmark' in test.meta()) continue; // a bench(), not a test
        count[test.result().state]++;
      }
    }
    if (this.#benchmark && count.passed + count.failed + count.skipped + count.pending === 0) return;
    const skipped = count.skipped > 0 ? `, ${count.skipped} skipped` : '';
    const runFailed = reason === 'failed' && count.failed === 0 ? ' (the run failed: see the errors)' : '';
    process.stdout.write(`tests: ${count.passed} passed, ${count.failed} failed${skipped}${runFailed}\n`);
  }
}
