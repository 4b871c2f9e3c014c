import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../commands/index.js';
import { CliFailure } from '../failure.js';
import { commandHelp, usageLine } from './help.js';
import { parseCommand, refuseTokenInArgv, TOKEN_IN_ARGV_MESSAGE, wantsHelp } from './parse-args.js';

function spec(...path: string[]) {
  const found = COMMANDS.find((command) => command.path.join(' ') === path.join(' '));
  if (found === undefined) throw new Error(`no command ${path.join(' ')}`);
  return found;
}

function failure(run: () => unknown): CliFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof CliFailure) return error;
    throw error;
  }
  throw new Error('it did not fail');
}

describe('parseCommand', () => {
  it('reads positionals by name, flags with values (either form), booleans and global flags', () => {
    const parsed = parseCommand(spec('transfer', 'submit'), [
      'request.json',
      '--idempotency-key=k-1',
      '--watch',
      '--json',
      '--intake-url',
      'http://intake:8080',
    ]);
    expect(parsed.args).toEqual({ 'file|-': 'request.json' });
    expect(parsed.flags).toMatchObject({
      'idempotency-key': 'k-1',
      watch: true,
      json: true,
      'intake-url': 'http://intake:8080',
    });
  });

  it('collects a repeated flag in order', () => {
    const parsed = parseCommand(spec('tokens', 'mint'), [
      '--name',
      'ci',
      '--scope',
      'transfers:read',
      '--scope',
      'admin',
    ]);
    expect(parsed.flags.scope).toEqual(['transfers:read', 'admin']);
  });

  it('refuses an unknown flag, a missing argument, an extra one and a flag without its value, with the usage', () => {
    const cases: [string[], string[], string][] = [
      [['transfer', 'list'], ['--bogus'], 'unknown flag --bogus'],
      [['transfer', 'get'], [], 'missing <id>'],
      [['transfer', 'get'], ['tr_1', 'tr_2'], 'unexpected argument "tr_2"'],
      [['transfer', 'list'], ['--status'], '--status needs a value'],
      [['transfer', 'get'], ['tr_1', '--json=yes'], '--json takes no value'],
      [['transfer', 'list'], ['--status', ''], '--status needs a value'],
      [
        ['transfer', 'retry'],
        ['tr_1', '--reason', '-x'],
        "--reason needs a value; for one starting with '-' write --reason=-x",
      ],
      [
        ['transfer', 'cancel'],
        ['tr_1', '--reason', '--watch'],
        "--reason needs a value; for one starting with '-' write --reason=--watch",
      ],
      [
        ['transfer', 'list'],
        ['--status', 'failed', '--status=completed'],
        '--status is given more than once: give it once',
      ],
      [['transfer', 'get'], ['tr_1', '--json', '--json'], '--json is given more than once: give it once'],
      [
        ['transfer', 'list'],
        ['--config', 'a.json', '--config', 'b.json'],
        '--config is given more than once: give it once',
      ],
      [
        ['transfer', 'get'],
        ['tr_1', 'ick_abcdefghijkl_secret'],
        'unexpected argument (not shown: it looks like an API token)',
      ],
    ];
    for (const [path, argv, reason] of cases) {
      const error = failure(() => parseCommand(spec(...path), argv));
      expect(error.kind).toBe('usage');
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(reason);
      expect(error.details.usage).toBe(`Usage: ${usageLine(spec(...path))}`);
    }
  });

  it('takes a value starting with - when written --flag=-value', () => {
    expect(parseCommand(spec('transfer', 'retry'), ['tr_1', '--reason=-x']).flags.reason).toBe('-x');
  });

  it('takes an argument after -- as a positional, even when it looks like a flag', () => {
    expect(parseCommand(spec('transfer', 'get'), ['--', '--odd']).args).toEqual({ id: '--odd' });
  });
});

describe('tokens never come from argv', () => {
  it('refuses --token and --token=..., saying why and what to use', () => {
    for (const argv of [
      ['transfer', 'get', 'tr_1', '--token', 'itk_x'],
      ['--token=itk_x', 'tokens', 'list'],
    ]) {
      const error = failure(() => refuseTokenInArgv(argv));
      expect(error.kind).toBe('usage');
      expect(error.message).toBe(TOKEN_IN_ARGV_MESSAGE);
      expect(error.message).not.toContain('itk_x');
    }
    expect(() => refuseTokenInArgv(['transfer', 'get', '--', '--token'])).not.toThrow();
    expect(() => refuseTokenInArgv(['transfer', 'list', '--token-file', 'f'])).not.toThrow();
  });
});

describe('help', () => {
  it('is asked with --help or -h, not after --', () => {
    expect(wantsHelp(['get', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['get', '--', '--help'])).toBe(false);
  });

  it('every command has a usage, a summary, flags described and at least one example', () => {
    for (const command of COMMANDS) {
      const help = commandHelp(command);
      expect(help).toContain(`Usage: interco ${command.path.join(' ')}`);
      expect(help).toContain('Examples:');
      expect(command.examples.length).toBeGreaterThan(0);
      for (const example of command.examples)
        expect(
          example.startsWith(`interco ${command.path.join(' ')}`) ||
            example.includes(`| interco ${command.path.join(' ')}`),
        ).toBe(true);
      for (const name of Object.keys(command.flags)) expect(help).toContain(`--${name}`);
      expect(help).toContain('--json');
    }
  });

  it('writes the usage line from the spec', () => {
    expect(usageLine(spec('instances', 'add'))).toBe(
      'interco instances add <id> [--name N] [--base-url U] [--api-key K] (--api-secret-stdin | --api-secret-file F)',
    );
    expect(usageLine(spec('tokens', 'mint'))).toBe(
      'interco tokens mint [--name N] [--scope S...] [--expires-at T]',
    );
  });
});
