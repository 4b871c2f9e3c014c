import { httpStatus } from '@interco/testkit';
import type { SupervisedProcess } from './supervised-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `url` (a service's `/readyz`) answers 200; fails when the process ends first, when
 * `cancelled()` says so, or after `timeoutMs`, with the end of its log.
 */
export async function waitForReady(
  child: SupervisedProcess,
  url: string,
  timeoutMs: number,
  cancelled: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exit !== undefined) {
      throw new Error(
        `${child.name} ${child.describeExit()} while starting; the end of ${child.logFile}:\n${await child.lastLogLines()}`,
      );
    }
    if (cancelled()) throw new Error(`stopped while ${child.name} was starting`);
    if ((await httpStatus({ url }, 1_000)) === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${child.name} did not answer 200 on ${url} within ${timeoutMs / 1000} s; the end of ${child.logFile}:\n${await child.lastLogLines()}`,
      );
    }
    await sleep(200);
  }
}
