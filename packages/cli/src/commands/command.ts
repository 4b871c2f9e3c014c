import type { ApiClient } from '../api/client.js';
import type { CommandSpec } from '../args/command-spec.js';
import type { FlagValue } from '../args/parse-args.js';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { CliFailure } from '../failure.js';
import type { CliIo, WatchTiming } from '../io.js';
import type { Output } from '../output.js';

/** What a command runs with. */
export interface CommandContext {
  readonly io: CliIo;
  readonly out: Output;
  readonly json: boolean;
  readonly args: Readonly<Record<string, string>>;
  readonly flags: Readonly<Record<string, FlagValue>>;
  readonly config: ResolvedConfig;
  readonly api: ApiClient;
  readonly timing: WatchTiming;
  readonly now: () => number;
  /** The usage line of the command (for usage failures found while running). */
  readonly usage: string;
}

export interface Command extends CommandSpec {
  /** Runs the command; answers the exit code (failures are thrown as CliFailure). */
  run(context: CommandContext): Promise<number>;
}

export function stringFlag(context: CommandContext, name: string): string | undefined {
  const value = context.flags[name];
  return typeof value === 'string' ? value : undefined;
}

export function listFlag(context: CommandContext, name: string): string[] {
  const value = context.flags[name];
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

export function booleanFlag(context: CommandContext, name: string): boolean {
  return context.flags[name] === true;
}

export function requiredFlag(context: CommandContext, name: string): string {
  const value = stringFlag(context, name);
  if (value === undefined) throw new CliFailure('usage', `missing --${name}`, { usage: context.usage });
  return value;
}

/** A whole number flag (e.g. --limit), checked here so the reason names the flag. */
export function integerFlag(context: CommandContext, name: string): number | undefined {
  const value = stringFlag(context, name);
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,9}$/.test(value)) {
    throw new CliFailure('usage', `--${name} must be a whole number, not ${JSON.stringify(value)}`, {
      usage: context.usage,
    });
  }
  return Number(value);
}
