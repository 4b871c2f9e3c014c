/** The `interco` process: the real stdout, stderr, stdin, environment and signals. */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { runCli } from './cli.js';

const abort = new AbortController();
let interrupted = 0;
const onSignal = (signal: NodeJS.Signals) => {
  interrupted += 1;
  // A second Ctrl-C ends at once (the first lets the command finish cleanly).
  if (interrupted > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
  abort.abort(new Error(`interrupted (${signal})`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A closed pipe (`interco tail | head`) ends the command quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') abort.abort(new Error('stdout closed'));
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  readFile: (path) => readFile(path, 'utf8'),
  signal: abort.signal,
});
// Idle keep-alive sockets must not hold the process once the command is done.
setTimeout(() => process.exit(), 500).unref();
