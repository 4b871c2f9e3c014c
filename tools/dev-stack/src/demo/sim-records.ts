import type { MasterDataFix } from './sample-transfers.js';

/** Adds a fix's records to its site through the simulator's inspection API (POST /__sim/records). */
export async function applyFix(siteUrl: string, fix: MasterDataFix): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${siteUrl}/__sim/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: fix.records }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new Error(
      `the simulator site ${fix.site} at ${siteUrl} did not answer: ${(error as Error).message}`,
    );
  }
  if (response.status !== 200) {
    throw new Error(
      `adding ${fix.description}: ${siteUrl}/__sim/records answered ${response.status}: ${await response.text()}`,
    );
  }
}
