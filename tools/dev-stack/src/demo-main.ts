import { DEMO_USAGE, type DemoArgs, type Environment, parseDemoArgs } from './args.js';
import { checkBuilt, StackStartError } from './checks.js';
import { CLI_ENTRY, cliEnv, cliRunner } from './demo/cli-runner.js';
import { runDemo, type SampleOutcome, summaryTable } from './demo/run-demo.js';
import { demoRunId } from './demo/sample-transfers.js';
import { displayPath, stackLayout } from './layout.js';
import { onStopSignals } from './signals.js';
import { LocalStack, REPO_ROOT, runningStack } from './stack.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const complain = (line: string) => process.stderr.write(`demo: ${line}\n`);

async function run(args: DemoArgs, env: Environment): Promise<number> {
  const layout = stackLayout(args.dir);
  try {
    await checkBuilt(REPO_ROOT, [CLI_ENTRY, 'packages/cli/dist/main.js']);
  } catch (error) {
    complain((error as Error).message);
    return 1;
  }
  let own: LocalStack | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    complain(`${signal}: stopping${own === undefined ? '' : ' the stack started for this run'}`);
    void (own?.stop() ?? Promise.resolve()).then(() => process.exit(130));
  };
  onStopSignals(onSignal);

  const sayStack = (line: string) => say(`dev-stack: ${line}`);
  const running = await runningStack(layout, {
    say: sayStack,
    complain,
    onStale: (stale) =>
      say(`The last stack on ${displayPath(layout.dir)} (pid ${stale.pid}) did not stop cleanly.`),
  });
  let cliConfig: string;
  let sites: Record<string, string>;
  if (running !== undefined) {
    say(`Using the stack running on ${displayPath(layout.dir)} (pid ${running.pid}).`);
    cliConfig = running.cli_config;
    sites = running.sites;
  } else {
    say(`No stack runs on ${layout.dir}: starting one for this run (stopped at the end, its data kept).`);
    own = new LocalStack({
      layout,
      portBase: args.portBase,
      logLevel: args.logLevel,
      env,
      say: sayStack,
    });
    try {
      const info = await own.start();
      cliConfig = info.cli_config;
      sites = info.sites;
    } catch (error) {
      const message = (error as Error).message;
      complain(error instanceof StackStartError ? message : `could not start the stack: ${message}`);
      return 1;
    }
  }

  let outcomes: SampleOutcome[];
  const runId = demoRunId();
  say(`Demo run ${runId}: three sample transfers, through the CLI (INTERCO_CONFIG=${cliConfig}).`);
  try {
    const cli = cliRunner({ repoRoot: REPO_ROOT, env: cliEnv(env, cliConfig) });
    const demo = runDemo({ cli, sites, demoDir: layout.demoDir, say }, runId);
    // A part of the stack started for this run that dies ends the demo, with its last lines.
    const died = own?.failure.then((failure): never => {
      throw new Error(`${failure.name} ${failure.how} unexpectedly; its last lines:\n${failure.lastLines}`);
    });
    died?.catch(() => undefined);
    outcomes = await (died === undefined ? demo : Promise.race([demo, died]));
  } catch (error) {
    complain(`the demo stopped: ${(error as Error).message}`);
    await own?.stop();
    return 1;
  }
  if (own !== undefined) {
    say('\nStopping the stack started for this run (its data stays).');
    await own.stop();
  }
  say(`\n${summaryTable(outcomes)}\n`);
  const ok = outcomes.every((o) => o.actual === o.expected);
  say(
    ok
      ? 'All three sample transfers reached their expected states.'
      : `Some sample transfers did not reach their expected state: see above, and the logs in ${layout.logsDir}.`,
  );
  return ok ? 0 : 1;
}

/** `pnpm demo`: the three sample transfers against the running stack (or one started for the run). */
export async function demoMain(argv: readonly string[], env: Environment): Promise<number> {
  const parsed = parseDemoArgs(argv, env);
  if (!parsed.ok) {
    if ('help' in parsed) {
      process.stdout.write(`${DEMO_USAGE}\n`);
      return 0;
    }
    complain(`${parsed.error}\n${DEMO_USAGE}`);
    return 2;
  }
  return run(parsed.value, env);
}
