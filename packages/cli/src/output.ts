/** Writing to stdout and stderr: text lines, JSON, tables, and failures with their problems. */
import type { CliFailure } from './failure.js';
import type { CliIo } from './io.js';
import { terminalSafe } from './plain-text.js';
import { type Paint, paintFor, wantsColour } from './watch/paint.js';

export class Output {
  readonly paint: Paint;
  readonly errPaint: Paint;

  constructor(private readonly io: Pick<CliIo, 'stdout' | 'stderr' | 'env'>) {
    this.paint = paintFor(wantsColour(io.stdout, io.env));
    this.errPaint = paintFor(wantsColour(io.stderr, io.env));
  }

  get stdout() {
    return this.io.stdout;
  }

  // Text lines may hold what an API or ERPNext said: control characters (escape sequences) are
  // dropped, the CLI's own colours kept. JSON needs nothing: it escapes them.
  line(text = ''): void {
    this.io.stdout.write(`${terminalSafe(text)}\n`);
  }

  lines(lines: readonly string[]): void {
    if (lines.length > 0) this.io.stdout.write(`${terminalSafe(lines.join('\n'))}\n`);
  }

  /** A value as indented JSON (one document), or on one line (`compact`: a stream of documents). */
  json(value: unknown, compact = false): void {
    this.io.stdout.write(`${compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)}\n`);
  }

  /** A line on stderr (notes, warnings, progress): never part of what a script reads. */
  note(text: string): void {
    this.io.stderr.write(`${terminalSafe(text)}\n`);
  }

  /**
   * A failure: its message, every problem with its path, a hint, and the usage for a usage
   * error, on stderr; with --json, the API's error body (or `{error, message}`) on stdout too.
   */
  failure(failure: CliFailure, json: boolean): void {
    const { details } = failure;
    if (json) this.json(details.body ?? { error: failure.kind, message: failure.message });
    const status =
      details.status === undefined
        ? ''
        : ` (HTTP ${details.status}${details.code === undefined ? '' : ` ${details.code}`})`;
    const lines = [`${this.errPaint.red('error:')} ${failure.message}${status}`];
    for (const problem of details.problems ?? []) {
      lines.push(`  - ${problem.path === '' ? '(the whole body)' : problem.path}: ${problem.message}`);
    }
    if (details.hint !== undefined) lines.push(details.hint);
    if (details.usage !== undefined) lines.push(details.usage);
    this.io.stderr.write(`${terminalSafe(lines.join('\n'))}\n`);
  }
}

/** Rows as aligned columns (the last column is not padded). */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
