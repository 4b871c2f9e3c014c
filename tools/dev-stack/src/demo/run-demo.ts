import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fits, schemas } from '@interco/cli';
import type { CliRunner } from './cli-runner.js';
import { type SampleTransfer, sampleTransfers } from './sample-transfers.js';
import { applyFix } from './sim-records.js';

/** How one sample transfer ended. */
export interface SampleOutcome {
  title: string;
  transferId: string | undefined;
  expected: string;
  /** The tracker's status at the end, or what went wrong before there was one. */
  actual: string;
}

export interface DemoContext {
  cli: CliRunner;
  /** The simulator's site URLs by name. */
  sites: Readonly<Record<string, string>>;
  /** Where the request files are written. */
  demoDir: string;
  say: (line: string) => void;
}

/** The first JSON value in a CLI's output, or undefined. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The id of the transfer a `transfer list --json` answer holds (the first: newest first). */
export function firstTransferId(listAnswer: unknown): string | undefined {
  return fits(schemas.TransferList, listAnswer) ? listAnswer.transfers[0]?.transfer_id : undefined;
}

/** A transfer's status and the messages of its last error, from a `transfer get --json` answer. */
export function transferState(getAnswer: unknown): { status: string | undefined; errors: string[] } {
  if (!fits(schemas.TransferView, getAnswer)) return { status: undefined, errors: [] };
  return { status: getAnswer.status, errors: getAnswer.last_error?.messages ?? [] };
}

/** The closing table: transfer, id, expected and actual final state, and whether they match. */
export function summaryTable(outcomes: readonly SampleOutcome[]): string {
  const rows = [
    ['transfer', 'id', 'expected', 'actual', ''],
    ...outcomes.map((o) => [
      o.title,
      o.transferId ?? '-',
      o.expected,
      o.actual,
      o.actual === o.expected ? 'ok' : 'MISMATCH',
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(rows[0] ?? []),
    widths
      .map((w) => '-'.repeat(w))
      .join('  ')
      .trimEnd(),
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function stateOf(
  cli: CliRunner,
  id: string,
): Promise<{ status: string | undefined; errors: string[] }> {
  const got = await cli.capture(['transfer', 'get', id, '--json']);
  return got.code === 0 ? transferState(parseJson(got.stdout)) : { status: undefined, errors: [] };
}

async function runSample(context: DemoContext, run: string, sample: SampleTransfer): Promise<SampleOutcome> {
  const { cli, say } = context;
  const outcome = (transferId: string | undefined, actual: string): SampleOutcome => ({
    title: sample.title,
    transferId,
    expected: sample.expected,
    actual,
  });
  say(`\n=== ${sample.title}`);
  const file = join(context.demoDir, `${run}-${sample.key}.json`);
  await writeFile(file, `${JSON.stringify(sample.body, null, 2)}\n`);
  const serialCount = sample.body.items.reduce((sum, item) => sum + item.serials.length, 0);
  say(
    `$ interco transfer submit ${file} --watch   (${sample.body.items.length} item(s), ${serialCount} serials)`,
  );
  await cli.show(['transfer', 'submit', file, '--idempotency-key', `demo-${run}-${sample.key}`, '--watch']);

  const listed = await cli.capture([
    'transfer',
    'list',
    '--reference',
    sample.body.reference ?? '',
    '--json',
  ]);
  const id = firstTransferId(parseJson(listed.stdout));
  if (id === undefined) return outcome(undefined, 'not submitted');
  let state = await stateOf(cli, id);

  if (sample.fix !== undefined) {
    if (state.status !== 'failed') return outcome(id, state.status ?? 'unknown');
    say(`${id} failed as expected${state.errors.length > 0 ? ':' : ''}`);
    for (const message of state.errors) say(`  ${message}`);
    const siteUrl = context.sites[sample.fix.site];
    if (siteUrl === undefined) throw new Error(`the stack has no simulator site ${sample.fix.site}`);
    await applyFix(siteUrl, sample.fix);
    say(`fixed: added ${sample.fix.description} through ${siteUrl}/__sim/records`);
    say(`$ interco transfer retry ${id} --watch`);
    await cli.show(['transfer', 'retry', id, '--watch']);
    state = await stateOf(cli, id);
  }

  if (sample.expected === 'cancelled') {
    if (state.status !== 'completed') return outcome(id, state.status ?? 'unknown');
    say(`$ interco transfer cancel ${id} --watch`);
    await cli.show(['transfer', 'cancel', id, '--watch']);
    state = await stateOf(cli, id);
  }
  return outcome(id, state.status ?? 'unknown');
}

/** Runs the three sample transfers, one after the other, and answers how each ended. */
export async function runDemo(context: DemoContext, run: string): Promise<SampleOutcome[]> {
  await mkdir(context.demoDir, { recursive: true });
  const outcomes: SampleOutcome[] = [];
  for (const sample of sampleTransfers(run)) {
    outcomes.push(await runSample(context, run, sample));
  }
  return outcomes;
}
