/**
 * `interco`: finds the command in argv, parses its flags, resolves the configuration, runs it,
 * and turns every failure into its message and exit code. Everything it touches comes in `io`,
 * so tests run it in-process.
 */
import { ApiClient } from './api/client.js';
import { GLOBAL_FLAGS } from './args/command-spec.js';
import { commandHelp, groupHelp, usageLine } from './args/help.js';
import { parseCommand, refuseTokenInArgv, wantsHelp } from './args/parse-args.js';
import { COMMANDS, GROUPS } from './commands/index.js';
import { readToken, resolveConfig } from './config/resolve-config.js';
import { CliFailure, EXIT_CODES, INTERRUPTED_EXIT_CODE } from './failure.js';
import { type CliIo, DEFAULT_TIMING } from './io.js';
import { Output } from './output.js';

const ABOUT =
  "interco: the command-line client of Interco (intake's write API and the tracker's read API, over HTTP).";

type Found =
  | { kind: 'command'; command: (typeof COMMANDS)[number]; rest: string[] }
  | { kind: 'group'; prefix: string[]; reason?: string };

/** Whether an argument is a global flag (`--json`, `--config F`, `--config=F`, `-h`). */
function isGlobalFlag(arg: string): boolean {
  if (arg === '-h') return true;
  const name = arg.startsWith('--') ? (arg.slice(2).split('=')[0] ?? '') : '';
  return name in GLOBAL_FLAGS;
}

/** Whether a global flag takes its value from the next argument (`--config F`). */
function takesNextValue(arg: string): boolean {
  return !arg.includes('=') && GLOBAL_FLAGS[arg.slice(2)]?.type === 'string';
}

/**
 * The command's words in argv (at most two; global flags may come before them, e.g.
 * `--config F transfer get X`), and the rest for the command's parser.
 */
function commandWords(argv: readonly string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const flags: string[] = [];
  let i = 0;
  for (; i < argv.length && words.length < 2; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-')) words.push(arg);
    else if (isGlobalFlag(arg)) {
      flags.push(arg);
      if (takesNextValue(arg) && i + 1 < argv.length) flags.push(argv[++i] as string);
    } else break;
  }
  return { words, rest: [...flags, ...argv.slice(i)] };
}

function findCommand(argv: readonly string[]): Found {
  const { words, rest } = commandWords(argv);
  for (const length of [2, 1]) {
    const path = words.slice(0, length);
    if (path.length !== length) continue;
    const command = COMMANDS.find(
      (c) => c.path.length === length && c.path.every((part, i) => part === path[i]),
    );
    if (command !== undefined) return { kind: 'command', command, rest: [...words.slice(length), ...rest] };
  }
  const group = words[0];
  if (group === undefined) return { kind: 'group', prefix: [], reason: 'missing a command' };
  if (group in GROUPS) {
    const sub = words[1];
    return {
      kind: 'group',
      prefix: [group],
      reason: sub === undefined ? `missing a command after ${group}` : `unknown command: ${group} ${sub}`,
    };
  }
  return { kind: 'group', prefix: [], reason: `unknown command: ${group}` };
}

/** Runs the CLI with `argv` (without node and the script); answers the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const out = new Output(io);
  const json = argv.includes('--json');
  try {
    refuseTokenInArgv(argv);
    const found = findCommand(argv);
    if (found.kind === 'group') {
      const about = found.prefix.length === 0 ? ABOUT : (GROUPS[found.prefix[0] as string] ?? ABOUT);
      const help = groupHelp(found.prefix, COMMANDS, about);
      if (wantsHelp(argv) || (found.prefix.length === 0 && argv[0] === 'help')) {
        io.stdout.write(help);
        return 0;
      }
      io.stderr.write(`error: ${found.reason ?? 'missing a command'}\n${help}`);
      return EXIT_CODES.usage;
    }
    const { command, rest } = found;
    if (wantsHelp(rest)) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const parsed = parseCommand(command, rest);
    const flag = (name: string) => {
      const value = parsed.flags[name];
      return typeof value === 'string' ? value : undefined;
    };
    const config = await resolveConfig({
      flags: {
        config: flag('config'),
        profile: flag('profile'),
        intakeUrl: flag('intake-url'),
        trackerUrl: flag('tracker-url'),
        tokenFile: flag('token-file'),
      },
      env: io.env,
      cwd: io.cwd,
      homeDir: io.homeDir,
      readFile: io.readFile,
    });
    const api = new ApiClient({
      urls: { intake: config.intakeUrl, tracker: config.trackerUrl },
      token: () => readToken(config.token, io.env, io.readFile),
    });
    return await command.run({
      io,
      out,
      json: parsed.flags.json === true,
      args: parsed.args,
      flags: parsed.flags,
      config,
      api,
      timing: { ...DEFAULT_TIMING, ...io.timing },
      now: io.now ?? Date.now,
      usage: `Usage: ${usageLine(command)}`,
    });
  } catch (error) {
    if (error instanceof CliFailure) {
      out.failure(error, json);
      return error.exitCode;
    }
    if (io.signal?.aborted === true) {
      out.note('interrupted');
      return INTERRUPTED_EXIT_CODE;
    }
    out.failure(
      new CliFailure(
        'unexpected',
        `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
      json,
    );
    return EXIT_CODES.unexpected;
  }
}
