/**
 * The arguments of one command, checked against its spec (node:util parseArgs, strict): unknown
 * flags, missing or extra arguments are usage failures with a one-line reason and the usage.
 */
import { parseArgs } from 'node:util';
import { CliFailure } from '../failure.js';
import { looksLikeToken, shownArgument } from '../token-shape.js';
import { type CommandSpec, type FlagSpec, GLOBAL_FLAGS } from './command-spec.js';
import { usageLine } from './help.js';

export type FlagValue = string | boolean | string[] | undefined;

export interface ParsedCommand {
  /** Positional arguments by name (optional ones may be absent). */
  readonly args: Readonly<Record<string, string>>;
  /** Every flag by name (global ones included). */
  readonly flags: Readonly<Record<string, FlagValue>>;
}

export const TOKEN_IN_ARGV_MESSAGE =
  'a token is never taken from the command line (it would show in the process list and the shell history): set INTERCO_TOKEN or INTERCO_TOKEN_FILE, pass --token-file <file>, or give the profile a token_file';

/** Refuses a token given in argv (`--token X`, `--token=X`), before anything else is read. */
export function refuseTokenInArgv(argv: readonly string[]): void {
  const index = argv.findIndex((arg) => arg === '--token' || arg.startsWith('--token='));
  if (index >= 0 && !argv.slice(0, index).includes('--'))
    throw new CliFailure('usage', TOKEN_IN_ARGV_MESSAGE);
}

/** Whether argv asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

function optionsOf(flags: Readonly<Record<string, FlagSpec>>) {
  return Object.fromEntries(
    Object.entries(flags).map(([name, flag]) => [
      name,
      {
        type: flag.type,
        ...(flag.multiple === true ? { multiple: true } : {}),
        ...(flag.short === undefined ? {} : { short: flag.short }),
      },
    ]),
  );
}

function reasonOf(error: unknown, argv: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unknown flag ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    if (/argument missing/.test(message)) return `${option} needs a value`;
    // `--reason -x`: the next argument starts with '-', so node:util does not take it as the value.
    if (/argument is ambiguous/.test(message)) {
      const long = /use '(--[^=' ]+)=/.exec(message)?.[1] ?? option;
      const next = argv[argv.indexOf(option) + 1];
      const example = next === undefined || looksLikeToken(next) ? '-...' : next;
      return `${long} needs a value; for one starting with '-' write ${long}=${example}`;
    }
    return `${option} takes no value`;
  }
  return message.split('\n')[0] ?? message;
}

/** A flag that is not `multiple` given twice: refused rather than the last one silently winning. */
function refuseRepeated(
  tokens: readonly { kind: string; name?: string; rawName?: string }[],
  flags: Readonly<Record<string, FlagSpec>>,
  usage: string,
): void {
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (flags[token.name]?.multiple === true) continue;
    if (seen.has(token.name))
      throw new CliFailure('usage', `--${token.name} is given more than once: give it once`, { usage });
    seen.add(token.name);
  }
}

export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const usage = `Usage: ${usageLine(spec)}`;
  const flags = { ...GLOBAL_FLAGS, ...spec.flags };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: optionsOf(flags),
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    throw new CliFailure('usage', reasonOf(error, argv), { usage });
  }
  refuseRepeated(parsed.tokens ?? [], flags, usage);
  const positionals = parsed.positionals;
  const args: Record<string, string> = {};
  spec.args.forEach((arg, i) => {
    const value = positionals[i];
    if (value === undefined) {
      if (arg.optional !== true) throw new CliFailure('usage', `missing <${arg.name}>`, { usage });
      return;
    }
    args[arg.name] = value;
  });
  if (positionals.length > spec.args.length) {
    throw new CliFailure(
      'usage',
      `unexpected argument ${shownArgument(positionals[spec.args.length] ?? '')}`,
      {
        usage,
      },
    );
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = parsed.values[name];
    if (flag.type === 'string' && typeof value === 'string' && value === '') {
      throw new CliFailure('usage', `--${name} needs a value`, { usage });
    }
  }
  return { args, flags: parsed.values as Record<string, FlagValue> };
}
