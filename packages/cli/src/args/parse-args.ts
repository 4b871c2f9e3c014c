/**
 * The arguments of one command, checked against its spec (node:util parseArgs, strict): unknown
 * flags, missing or extra arguments are usage failures with a one-line reason and the usage.
 */
import { parseArgs } from 'node:util';
import { CliFailure } from '../failure.js';
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

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) return `unknown flag ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    return /argument missing/.test(message) ? `${option} needs a value` : `${option} takes no value`;
  }
  return message.split('\n')[0] ?? message;
}

export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedCommand {
  const usage = `Usage: ${usageLine(spec)}`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: optionsOf({ ...GLOBAL_FLAGS, ...spec.flags }),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliFailure('usage', reasonOf(error), { usage });
  }
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
    throw new CliFailure('usage', `unexpected argument ${JSON.stringify(positionals[spec.args.length])}`, {
      usage,
    });
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    const value = parsed.values[name];
    if (flag.type === 'string' && typeof value === 'string' && value === '') {
      throw new CliFailure('usage', `--${name} needs a value`, { usage });
    }
  }
  return { args, flags: parsed.values as Record<string, FlagValue> };
}
