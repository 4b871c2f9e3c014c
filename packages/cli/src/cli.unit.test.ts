import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

/** runCli without any service: help, usage and configuration errors only. */
async function cli(argv: string[], env: Record<string, string> = {}, stdinIsTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: (async function* () {})(),
    stdinIsTTY,
    env,
    cwd: '/nowhere',
    homeDir: '/nowhere',
    readFile: async (path) => {
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    },
  });
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints help on stdout with exit 0: the whole CLI, a group, a command', async () => {
    for (const argv of [
      ['--help'],
      ['help'],
      ['transfer', '--help'],
      ['instances', 'add', '-h'],
      ['tail', '--help'],
    ]) {
      const run = await cli(argv);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage: interco/);
      expect(run.stderr).toBe('');
    }
    expect((await cli(['transfer', '--help'])).stdout).toContain('transfer watch');
  });

  it('a missing or unknown command is exit 2 with the reason and the usage on stderr', async () => {
    const cases: [string[], string][] = [
      [[], 'error: missing a command'],
      [['transfers'], 'error: unknown command: transfers'],
      [['transfer'], 'error: missing a command after transfer'],
      [['transfer', 'show', 'x'], 'error: unknown command: transfer show'],
      [['transfer', 'get'], 'error: missing <id>\nUsage: interco transfer get <id>'],
      [['tokens', 'mint', '--name', 'x'], 'error: missing --scope\nUsage: interco tokens mint'],
    ];
    for (const [argv, reason] of cases) {
      const run = await cli(argv);
      expect(run.code).toBe(2);
      expect(run.stderr.startsWith(reason)).toBe(true);
      expect(run.stderr).toContain('Usage: interco');
    }
  });

  it('takes global flags before the command', async () => {
    const run = await cli(['--config', 'missing.json', 'transfer', 'get', 'tr_1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: the config file /nowhere/missing.json cannot be read: it does not exist\n',
    );
  });

  it('refuses a token in argv, and says how to give one when there is none (exit 2)', async () => {
    const argv = await cli(['transfer', 'list', '--token', 'itk_secret']);
    expect(argv.code).toBe(2);
    expect(argv.stderr).toContain('a token is never taken from the command line');
    expect(argv.stderr).not.toContain('itk_secret');
    const none = await cli(['transfer', 'list']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no API token: set INTERCO_TOKEN');
  });

  it('a token a header cannot carry is a configuration error (2) naming its source, not its value', async () => {
    const run = await cli(['transfer', 'list'], { INTERCO_TOKEN: 'ick_first\nick_second' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: the token in INTERCO_TOKEN is not valid: /);
    expect(run.stderr).not.toContain('ick_');
  });

  it('--api-secret-stdin refuses a terminal (the secret would be echoed) and says what to do', async () => {
    const argv = [
      'instances',
      'add',
      'company-c',
      '--name',
      'C',
      '--base-url',
      'http://erp',
      '--api-key',
      'k',
    ];
    const run = await cli([...argv, '--api-secret-stdin'], { INTERCO_TOKEN: 'ick_x' }, true);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--api-secret-stdin reads a pipe, not a terminal');
    expect(run.stderr).toContain('--api-secret-file F');
  });

  it('refuses a flag given twice (exit 2), naming it', async () => {
    const run = await cli(['--intake-url', 'http://a:1', 'transfer', 'list', '--intake-url', 'http://b:1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --intake-url is given more than once/);
  });

  it('with --json, a failure is also a JSON error body on stdout', async () => {
    const run = await cli(['transfer', 'list', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: 'usage',
      message: expect.stringContaining('no API token'),
    });
  });
});
