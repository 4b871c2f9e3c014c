#!/usr/bin/env node
import { isEntryPoint } from '@interco/service';
import { BOOTSTRAP_HASH_ENV, mintBootstrapToken } from '../bootstrap.js';
import { parseToken } from '../token-format.js';
import { hashToken } from '../token-hash.js';

export const USAGE = `usage:
  interco-hash-token < token-file    prints the hash of the token read from stdin
  interco-hash-token --new           makes a new bootstrap token: prints the token and its hash

Put the hash in ${BOOTSTRAP_HASH_ENV}; keep the token itself out of the environment.
`;

export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The command without its input and output: `args` are the arguments, `readInput` reads stdin
 * (only called when a token is to be hashed). Never prints a token it was given.
 */
export async function hashTokenCommand(
  args: readonly string[],
  readInput: () => Promise<string>,
): Promise<CommandOutput> {
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    return { code: 0, stdout: USAGE, stderr: '' };
  }
  if (args.length === 1 && args[0] === '--new') {
    const { token, hash } = mintBootstrapToken();
    return {
      code: 0,
      stdout:
        `# the bootstrap token: give it to whoever sets Interco up; it is not shown again\n${token}\n` +
        `# the environment of intake:\n${BOOTSTRAP_HASH_ENV}=${hash}\n`,
      stderr: '',
    };
  }
  if (args.length > 0) return { code: 2, stdout: '', stderr: USAGE };
  const token = (await readInput()).trim();
  if (parseToken(token) === undefined) {
    return {
      code: 1,
      stdout: '',
      stderr: 'stdin does not hold an Interco token (ick_<id>_<secret>, 60 characters)\n',
    };
  }
  return { code: 0, stdout: `${hashToken(token)}\n`, stderr: '' };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('paste the token, then press Ctrl-D\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

if (isEntryPoint(import.meta.url)) {
  const { code, stdout, stderr } = await hashTokenCommand(process.argv.slice(2), readStdin);
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
}
