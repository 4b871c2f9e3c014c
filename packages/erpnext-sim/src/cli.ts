#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_HOST, type Simulator, SiteSetupError, startSimulator } from './sim/simulator.js';
import { parseSitesFile, type SiteConfig, SitesFileError } from './sites/sites-file.schema.js';
import { StateFileError } from './sites/state-file.js';

/**
 * erpnext-sim: serves simulated ERPNext sites until SIGINT/SIGTERM.
 *
 * stdout carries exactly one JSON line per site once all are listening
 * (`{"site","url","api_key","api_secret"}`); everything else goes to stderr.
 * Exit codes: 0 after a signal, 2 for bad arguments or a bad sites/state file, 1 otherwise.
 */

const USAGE = `usage: erpnext-sim [--sites demo|<file>] [--port-base N] [--host H] [--no-inspection] [--state-file <path>]

  --sites demo|<file>   the demo sites (default), or a sites file (JSON; see the README)
  --port-base N         site i listens on N + i (a site's "port" wins); 0 = free ports (default)
  --host H              address to listen on (default ${DEFAULT_HOST})
  --inspection          serve the /__sim/ inspection API (default: on)
  --no-inspection       do not serve it
  --state-file <path>   keep the sites' data and credentials in this file across restarts
  --help                this text

Prints one JSON line per site on stdout once listening: {"site","url","api_key","api_secret"}.`;

const EXIT_BAD_INPUT = 2;
const CLOSE_TIMEOUT_MS = 10_000;

/** Bad input: exit 2. `showUsage` for argument errors (not for a bad file). */
class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage = true,
  ) {
    super(message);
  }
}

interface CliOptions {
  sites: SiteConfig[] | 'demo';
  portBase: number;
  host: string;
  inspection: boolean;
  stateFile: string | undefined;
}

function parseCli(argv: string[]): CliOptions | 'help' {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return 'help';
  const portBase = values['port-base'] === undefined ? 0 : Number(values['port-base']);
  if (!/^\d+$/.test(values['port-base'] ?? '0') || portBase > 65535) {
    throw new UsageError(
      `--port-base must be a whole number from 0 to 65535, not ${JSON.stringify(values['port-base'])}`,
    );
  }
  const host = values.host ?? DEFAULT_HOST;
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  const sitesArg = values.sites ?? 'demo';
  if (sitesArg === '') throw new UsageError('--sites needs "demo" or a file');
  if (values['state-file'] === '') throw new UsageError('--state-file needs a path');
  return {
    sites: sitesArg === 'demo' ? 'demo' : readSitesFile(resolve(sitesArg)),
    portBase,
    host,
    inspection: values.inspection ?? true,
    stateFile: values['state-file'] === undefined ? undefined : resolve(values['state-file']),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    allowNegative: true,
    options: {
      sites: { type: 'string' },
      'port-base': { type: 'string' },
      host: { type: 'string' },
      inspection: { type: 'boolean' },
      'state-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function readSitesFile(path: string): SiteConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read the sites file ${path}: ${error instanceof Error ? error.message : String(error)}`,
      false,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `the sites file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      false,
    );
  }
  try {
    return parseSitesFile(value);
  } catch (error) {
    if (error instanceof SitesFileError) throw new UsageError(`sites file ${path}: ${error.message}`, false);
    throw error;
  }
}

function log(line: string): void {
  process.stderr.write(`erpnext-sim: ${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`erpnext-sim: ${error.message}\n${error.showUsage ? `\n${USAGE}\n` : ''}`);
    process.exit(EXIT_BAD_INPUT);
  }
  if (options === 'help') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(0);
  }

  let simulator: Simulator;
  try {
    simulator = await startSimulator({
      sites: options.sites,
      portBase: options.portBase,
      host: options.host,
      inspection: options.inspection,
      ...(options.stateFile === undefined ? {} : { stateFile: options.stateFile }),
      log,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`erpnext-sim: ${message}\n`);
    process.exit(error instanceof StateFileError || error instanceof SiteSetupError ? EXIT_BAD_INPUT : 1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    const timer = setTimeout(() => {
      log(`not stopped after ${CLOSE_TIMEOUT_MS} ms: exiting anyway`);
      process.exit(1);
    }, CLOSE_TIMEOUT_MS);
    timer.unref();
    simulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  for (const running of simulator.sites) {
    const line = {
      site: running.name,
      url: running.url,
      api_key: running.apiKey,
      api_secret: running.apiSecret,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `erpnext-sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
