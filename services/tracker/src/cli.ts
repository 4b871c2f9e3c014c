#!/usr/bin/env node
/**
 * `interco-tracker rebuild` | `interco-tracker replay --from-sequence N | --from-time ISO`: rebuilds
 * or replays the read model (docs/tracker.md, "Replay"). Progress lines go to stderr, then a
 * summary. Exit codes: 0 done, 1 failed, 2 usage or configuration.
 */
import { parseArgs } from 'node:util';
import { busNames, connectNats } from '@interco/bus';
import { createLogger, isConfigError, isEntryPoint } from '@interco/service';
import { MongoClient } from 'mongodb';
import { loadTrackerConfig } from './config.js';
import { TrackerStore } from './read-model/tracker-store.js';
import type { ReplayProgress } from './replay/progress.js';
import { rebuild } from './replay/rebuild.js';
import { replay } from './replay/replay.js';

export const USAGE = `usage:
  interco-tracker rebuild [--force]
      drop the read model and build it again from the whole stream
      (--force: even though the stream's oldest events expired)
  interco-tracker replay --from-sequence <N> | --from-time <RFC 3339>
      apply the stream again from there (idempotent, nothing dropped)
environment: see services/tracker/README.md (MONGODB_URL, INTERCO_SECRET_KEY, NATS_URL...)`;

/** A command line the tool understands. */
export type TrackerCommand =
  | { readonly command: 'rebuild'; readonly force: boolean }
  | { readonly command: 'replay'; readonly fromSequence?: number; readonly fromTime?: Date };

/** The command of `args` (without node and the script), or the usage problem. */
export function parseCommand(args: readonly string[]): TrackerCommand | { readonly problem: string } {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        'from-sequence': { type: 'string' };
        'from-time': { type: 'string' };
        force: { type: 'boolean' };
        help: { type: 'boolean' };
      };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        'from-sequence': { type: 'string' },
        'from-time': { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  const { positionals, values } = parsed;
  if (values.help === true) return { problem: 'help' };
  if (positionals.length !== 1) return { problem: 'one command: rebuild or replay' };
  const fromSequence = values['from-sequence'];
  const fromTime = values['from-time'];
  if (positionals[0] === 'rebuild') {
    if (fromSequence !== undefined || fromTime !== undefined) {
      return { problem: 'rebuild reads the whole stream: no --from-sequence or --from-time' };
    }
    return { command: 'rebuild', force: values.force === true };
  }
  if (positionals[0] !== 'replay') return { problem: `unknown command ${positionals[0]}` };
  if (values.force !== undefined) return { problem: '--force is for rebuild only' };
  if ((fromSequence === undefined) === (fromTime === undefined)) {
    return { problem: 'replay needs exactly one of --from-sequence and --from-time' };
  }
  if (fromSequence !== undefined) {
    if (!/^[1-9][0-9]{0,15}$/.test(fromSequence))
      return { problem: '--from-sequence must be a sequence (1 or more)' };
    return { command: 'replay', fromSequence: Number(fromSequence) };
  }
  const time = new Date(fromTime ?? '');
  if (!/^\d{4}-\d{2}-\d{2}T/.test(fromTime ?? '') || Number.isNaN(time.getTime())) {
    return { problem: '--from-time must be an RFC 3339 time, e.g. 2026-01-05T10:00:00Z' };
  }
  return { command: 'replay', fromTime: time };
}

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stderr: (line: string) => void;
}

/** Runs the tool; answers the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const command = parseCommand(args);
  if ('problem' in command) {
    if (command.problem !== 'help') io.stderr(`interco-tracker: ${command.problem}`);
    io.stderr(USAGE);
    return command.problem === 'help' ? 0 : 2;
  }
  let config: ReturnType<typeof loadTrackerConfig>;
  try {
    config = loadTrackerConfig(io.env);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    for (const problem of error.problems)
      io.stderr(`interco-tracker: ${problem.variable} ${problem.message}`);
    return 2;
  }
  const logger = createLogger('tracker-replay', { level: config.logLevel });
  const nc = await connectNats({ url: config.natsUrl, name: `interco-tracker-${command.command}` });
  const mongo = await new MongoClient(config.mongoUrl).connect();
  try {
    const options = {
      nc,
      names: busNames(config.namespace),
      store: new TrackerStore(mongo.db(config.mongoDb)),
      box: config.box,
      logger,
      batchSize: config.batchSize,
      onProgress: (progress: ReplayProgress) => io.stderr(progressLine(command.command, progress)),
    };
    const summary =
      command.command === 'rebuild'
        ? await rebuild({ ...options, force: command.force })
        : await replay({
            ...options,
            ...(command.fromSequence === undefined ? {} : { fromSequence: command.fromSequence }),
            ...(command.fromTime === undefined ? {} : { fromTime: command.fromTime }),
          });
    io.stderr(
      `${command.command} done: ${summary.events} events, ${summary.transfers} transfers written, through sequence ${summary.lastSeq}, in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.eventsPerSecond} events/s)`,
    );
    return 0;
  } catch (error) {
    io.stderr(
      `interco-tracker ${command.command} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  } finally {
    await mongo.close().catch(() => undefined);
    await nc.drain().catch(() => undefined);
  }
}

export function progressLine(command: string, progress: ReplayProgress): string {
  return `${command}: ${progress.events} events, ${progress.transfers} transfers, ${progress.eventsPerSecond} events/s, sequence ${progress.lastSeq}`;
}

if (isEntryPoint(import.meta.url)) {
  runCli(process.argv.slice(2), {
    env: process.env,
    stderr: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `interco-tracker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
