import { type CommandSpec, type FlagSpec, GLOBAL_FLAGS } from './command-spec.js';

function flagUsage(name: string, flag: FlagSpec): string {
  const value =
    flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}${flag.multiple === true ? '...' : ''}` : '';
  return `--${name}${value}`;
}

/** `interco transfer submit <file|-> [--idempotency-key K] [--watch]`. */
export function usageLine(spec: CommandSpec): string {
  const parts = ['interco', ...spec.path];
  for (const arg of spec.args) parts.push(arg.optional === true ? `[<${arg.name}>]` : `<${arg.name}>`);
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (flag.inUsage === false) continue;
    parts.push(`[${flagUsage(name, flag)}]`);
  }
  if (spec.usageNote !== undefined) parts.push(spec.usageNote);
  return parts.join(' ');
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function flagRows(flags: Readonly<Record<string, FlagSpec>>): [string, string][] {
  return Object.entries(flags).map(([name, flag]) => [
    `${flag.short === undefined ? '' : `-${flag.short}, `}${flagUsage(name, flag)}`,
    flag.description,
  ]);
}

/** The whole help of a command: usage, what it does, arguments, flags, examples. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary];
  if (spec.description !== undefined) lines.push('', spec.description);
  if (spec.args.length > 0) {
    lines.push('', 'Arguments:', ...table(spec.args.map((arg) => [`<${arg.name}>`, arg.description])));
  }
  if (Object.keys(spec.flags).length > 0) lines.push('', 'Flags:', ...table(flagRows(spec.flags)));
  lines.push('', 'Global flags:', ...table(flagRows(GLOBAL_FLAGS)));
  if (spec.examples.length > 0)
    lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  return `${lines.join('\n')}\n`;
}

/** The help of a group (`interco transfer --help`) or of the whole CLI (empty prefix). */
export function groupHelp(prefix: readonly string[], specs: readonly CommandSpec[], about: string): string {
  const inGroup = specs.filter((spec) => prefix.every((part, i) => spec.path[i] === part));
  const name = ['interco', ...prefix].join(' ');
  const lines = [
    `Usage: ${name} <command> [flags]`,
    '',
    about,
    '',
    'Commands:',
    ...table(inGroup.map((spec) => [spec.path.join(' '), spec.summary])),
    '',
    'Global flags:',
    ...table(flagRows(GLOBAL_FLAGS)),
    '',
    `Run \`${name} <command> --help\` for a command's arguments, flags and examples.`,
    'Exit codes: 0 done, 1 failed (or a transfer ended failed/cancel_failed), 2 usage or configuration, 3 not authenticated or not allowed, 4 not found, 5 refused by the API, 6 unreachable or 5xx.',
  ];
  return `${lines.join('\n')}\n`;
}
