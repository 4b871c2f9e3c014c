import { rm } from 'node:fs/promises';
import { DEV_USAGE, type DevArgs, type Environment, parseDevArgs } from './args.js';
import { StackStartError } from './checks.js';
import { displayPath, logFile, type StackLayout, stackLayout } from './layout.js';
import { onStopSignals } from './signals.js';
import { LocalStack, runningStack } from './stack.js';
import type { StackFile } from './stack-file.js';

const say = (line: string) => process.stdout.write(`dev-stack: ${line}\n`);
const complain = (line: string) => process.stderr.write(`dev-stack: ${line}\n`);

/** What `pnpm dev` prints once everything is up. */
export function stackSummary(info: StackFile, layout: StackLayout): string {
  const rows: Array<[string, string, string]> = [
    ...Object.entries(info.services).map(([name, url]): [string, string, string] => [
      name,
      url,
      displayPath(logFile(layout, name)),
    ]),
    ...Object.entries(info.sites).map(([site, url]): [string, string, string] => [
      site,
      url,
      `ERPNext simulator (inspection API ${url}/__sim/)`,
    ]),
    ['nats', info.nats_url, ''],
    ['mongo', info.mongo_url, ''],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const urlWidth = Math.max(...rows.map(([, url]) => url.length));
  return [
    `Interco is running (data in ${displayPath(info.dir)}, pid ${info.pid}):`,
    ...rows.map(([name, url, note]) => `  ${name.padEnd(width)}  ${url.padEnd(urlWidth)}  ${note}`.trimEnd()),
    '',
    `The operations console: ${info.tracker_url}/console/ (sign in with the token in ${displayPath(layout.adminToken)})`,
    '',
    'Use the CLI with this stack:',
    `  export INTERCO_CONFIG=${info.cli_config}`,
    '  pnpm interco transfer list',
    'Run the sample transfers: pnpm demo (in another terminal)',
    `Stop: Ctrl-C, or kill -TERM ${info.pid}. The data stays in ${displayPath(info.dir)}; pnpm dev --reset starts afresh.`,
  ].join('\n');
}

async function run(args: DevArgs, env: Environment): Promise<number> {
  const layout = stackLayout(args.dir);
  const running = await runningStack(layout, {
    say,
    complain,
    onStale: (stale) =>
      say(
        `the last stack on ${displayPath(layout.dir)} (pid ${stale.pid}) did not stop cleanly; starting anew`,
      ),
  });
  if (running !== undefined) {
    complain(
      `a stack already runs on ${displayPath(layout.dir)} (pid ${running.pid}, intake ${running.intake_url}). ` +
        `Stop it first (kill -TERM ${running.pid}), or use another --dir and --port-base.`,
    );
    return 1;
  }
  if (args.reset) {
    say(`--reset: deleting ${displayPath(layout.dir)}`);
    await rm(layout.dir, { recursive: true, force: true });
  }

  const stack = new LocalStack({
    layout,
    portBase: args.portBase,
    logLevel: args.logLevel,
    env,
    say,
  });
  let signalled: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => {
      if (signalled !== undefined) {
        complain(`${signal} again: still stopping (the children get SIGKILL after their grace period)`);
        return;
      }
      signalled = signal;
      say(`${signal}: stopping (services first, then the simulator, Mongo and NATS)`);
      resolve(signal);
      void stack.stop();
    };
  });
  onStopSignals(onSignal);

  try {
    const info = await stack.start();
    process.stdout.write(`\n${stackSummary(info, layout)}\n\n`);
  } catch (error) {
    if (signalled !== undefined) {
      await stack.stop();
      say('stopped');
      return 0;
    }
    const message = error instanceof Error ? error.message : String(error);
    complain(error instanceof StackStartError ? message : `could not start: ${message}`);
    return 1;
  }

  const outcome = await Promise.race([
    stopRequested.then(() => ({ kind: 'signal' as const })),
    stack.failure.then((failure) => ({ kind: 'failure' as const, failure })),
  ]);
  if (outcome.kind === 'failure') {
    const { failure } = outcome;
    complain(`${failure.name} ${failure.how} unexpectedly; its last lines:\n${failure.lastLines}`);
    complain('stopping the stack (start it again with pnpm dev; the data is kept)');
    await stack.stop();
    return 1;
  }
  await stack.stop();
  say('stopped');
  return 0;
}

/** `pnpm dev`: parses the arguments, runs the stack until a signal, and answers the exit code. */
export async function devMain(argv: readonly string[], env: Environment): Promise<number> {
  const parsed = parseDevArgs(argv, env);
  if (!parsed.ok) {
    if ('help' in parsed) {
      process.stdout.write(`${DEV_USAGE}\n`);
      return 0;
    }
    complain(`${parsed.error}\n${DEV_USAGE}`);
    return 2;
  }
  return run(parsed.value, env);
}
