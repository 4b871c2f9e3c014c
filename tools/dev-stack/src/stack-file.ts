import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { registerFormats } from '@interco/contracts';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isProcessAlive, ProcessIdentity, processStatus } from './process-identity.js';

export { isProcessAlive };

/** `.interco/stack.json`: written once the stack is up, removed when it stops; how `pnpm demo` finds it. */
export const StackFile = Type.Object(
  {
    version: Type.Literal(1),
    pid: Type.Integer({
      minimum: 1,
      description: 'the supervisor: `pnpm dev` (node tools/dev-stack/dist/dev.js) or `pnpm demo`',
    }),
    identity: Type.Optional(ProcessIdentity),
    started_at: Type.String({ format: 'date-time' }),
    dir: Type.String({ description: 'the data folder, absolute' }),
    port_base: Type.Integer(),
    cli_config: Type.String({ description: 'the CLI config file (INTERCO_CONFIG)' }),
    intake_url: Type.String(),
    tracker_url: Type.String(),
    services: Type.Record(Type.String(), Type.String({ description: 'the service URL' })),
    nats_url: Type.String(),
    mongo_url: Type.String({ description: 'without credentials (the local server has none)' }),
    sites: Type.Record(Type.String(), Type.String({ description: 'the simulator site URL' })),
    processes: Type.Array(
      Type.Object(
        { name: Type.String(), pid: Type.Integer({ minimum: 1 }), identity: Type.Optional(ProcessIdentity) },
        { additionalProperties: false },
      ),
      { description: 'the children the stack supervises, nats and mongo included (unless external)' },
    ),
  },
  { additionalProperties: false },
);
export type StackFile = Static<typeof StackFile>;

registerFormats();

export type StackFileState =
  | { kind: 'none' }
  | { kind: 'running'; stack: StackFile }
  | { kind: 'stale'; stack: StackFile }
  | { kind: 'invalid'; message: string };

/** A supervisor's command line when stack.json recorded none: node running our dev or demo script. */
export function isSupervisorCommand(cmdline: readonly string[]): boolean {
  return cmdline.some((arg) => /dev-stack[\\/]dist[\\/](dev|demo)\.js$/.test(arg));
}

/** Parses a stack file's text; the message names the first problem's path. */
export function parseStackFile(
  text: string,
): { ok: true; stack: StackFile } | { ok: false; message: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'is not JSON' };
  }
  if (Value.Check(StackFile, value)) return { ok: true, stack: value };
  const first = Value.Errors(StackFile, value).First();
  return {
    ok: false,
    message: `is not a stack file (${first?.path || '/'}: ${first?.message ?? 'invalid'})`,
  };
}

/**
 * What the stack file at `path` says: no stack, a running one, a stale one, or garbage. Running
 * means its supervisor's pid is alive and still the same process (its start time and command line
 * in /proc match the recorded ones; a pid reused after a reboot does not count). Without /proc
 * (not Linux), a live pid is taken as running.
 */
export async function readStackFile(
  path: string,
  options: { alive?: (pid: number) => boolean; procRoot?: string } = {},
): Promise<StackFileState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    throw error;
  }
  const parsed = parseStackFile(text);
  if (!parsed.ok) return { kind: 'invalid', message: `${path} ${parsed.message}` };
  const { stack } = parsed;
  const status = await processStatus(stack.pid, stack.identity, {
    ...options,
    fallback: isSupervisorCommand,
  });
  return { kind: status === 'ours' || status === 'unverified' ? 'running' : 'stale', stack };
}

/** Writes the stack file atomically (a temporary file, then a rename). */
export async function writeStackFile(path: string, stack: StackFile): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

export async function removeStackFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
