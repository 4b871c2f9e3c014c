/**
 * The CLI against a small HTTP server this test starts, standing in for intake and the tracker
 * where the real ones cannot be made to misbehave: a live stream that ends right after its
 * headers, a submit that never answers (Ctrl-C while the request is out).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleRequest } from '@interco/bus/test-support';
import { foldTransfer } from '@interco/contracts';
import { toTransferView } from '@interco/tracker';
import { TransferHistory } from '@interco/tracker/test-support/histories';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const ID = 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B';
/** A transfer still running (po_a done, pr_a under way): a watch of it does not end by itself. */
const RUNNING = (() => {
  const history = new TransferHistory(ID).requested(sampleRequest(3, 1)).done('po_a');
  const state = foldTransfer(history.events);
  if (state === undefined) throw new Error('no state');
  return toTransferView({ _id: ID, state }, { now: new Date(), stuckAfterMs: 15 * 60_000 });
})();

let server: Server;
let url: string;
let liveOpens = 0;
let submits: string[] = [];
let onSubmit: (() => void) | undefined;
/** The live stream's second behaviour: a resume refused as too old (400 naming Last-Event-ID). */
let resumeTooOld = false;

function handle(request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? '').split('?')[0];
  if (request.method === 'GET' && path === '/v1/live' && resumeTooOld) {
    // One event, then the end; the resume is refused (the tracker moved on too far); a fresh
    // stream sends a later event and stays open.
    liveOpens++;
    const resume = request.headers['last-event-id'];
    if (resume !== undefined) {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: 'invalid_request',
          message: 'the request headers are not valid: see problems (each names its path)',
          problems: [{ path: 'Last-Event-ID', message: 'the stream has moved on more than 1,000 events' }],
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const seq = liveOpens === 1 ? 5 : 2_000;
    const event = {
      transfer_id: ID,
      type: 'po_a.done',
      time: new Date().toISOString(),
      generation: 1,
      seq,
      event_id: `e${seq}`,
    };
    response.write(`id: ${seq}\nevent: po_a.done\ndata: ${JSON.stringify(event)}\n\n`);
    if (liveOpens === 1) response.end();
    return;
  }
  if (request.method === 'GET' && path === '/v1/live') {
    // Headers, then the end at once: what a proxy cutting streams short looks like.
    liveOpens++;
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end();
    return;
  }
  if (request.method === 'GET' && path === `/v1/transfers/${ID}`) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(RUNNING));
    return;
  }
  if (request.method === 'POST' && path === '/v1/transfers') {
    // Never answered: the test interrupts the CLI while it waits.
    submits.push(String(request.headers['idempotency-key']));
    onSubmit?.();
    return;
  }
  response.writeHead(404).end();
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  liveOpens = 0;
  submits = [];
  onSubmit = undefined;
  resumeTooOld = false;
});

/** Runs the CLI in-process against the server; `stopAfterMs` is Ctrl-C that long after the start. */
async function cli(argv: string[], options: { stdin?: string; signal?: AbortSignal } = {}) {
  let stdout = '';
  let stderr = '';
  const stdin = options.stdin ?? '';
  const code = await runCli(argv, {
    stdout: { isTTY: false, write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, write: (text: string) => (stderr += text) },
    stdin: (async function* () {
      if (stdin !== '') yield Buffer.from(stdin);
    })(),
    env: { INTERCO_INTAKE_URL: url, INTERCO_TRACKER_URL: url, INTERCO_TOKEN: 'test-token' },
    cwd: '/nowhere',
    homeDir: '/nowhere',
    readFile: async () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    timing: { pollMs: 20, liveRetryMs: 160, refreshMs: 15_000, unreachableMs: 5_000 },
  });
  return { code, stdout, stderr };
}

/** Lines of stderr saying the stream is being resumed. */
const resumingNotes = (stderr: string) => stderr.split('\n').filter((line) => /resuming it/.test(line));

describe('a live stream that ends right after its headers', () => {
  // 20 ms, then 40, 80, 160, 160...: about 8 opens in a second, where reopening at once made hundreds.
  it('--watch pauses before reopening it, longer while it keeps ending, one note per longer pause', async () => {
    const run = await cli(['transfer', 'watch', ID], { signal: AbortSignal.timeout(1_000) });
    expect(run.code, run.stderr).toBe(130);
    expect(liveOpens).toBeGreaterThanOrEqual(3);
    expect(liveOpens).toBeLessThanOrEqual(12);
    const notes = resumingNotes(run.stderr);
    expect(notes[0]).toBe('the live stream ended: resuming it in 20ms');
    expect(notes.at(-1)).toBe('the live stream ended: resuming it in 160ms');
    expect(notes).toHaveLength(4);
    // The transfer is still shown (read while the stream is away).
    expect(run.stdout).toContain(`transfer ${ID}  in_progress`);
  });

  it('tail does too, and Ctrl-C still ends it with 0', async () => {
    const run = await cli(['tail'], { signal: AbortSignal.timeout(1_000) });
    expect(run.code, run.stderr).toBe(0);
    expect(liveOpens).toBeGreaterThanOrEqual(3);
    expect(liveOpens).toBeLessThanOrEqual(12);
    expect(resumingNotes(run.stderr)).toEqual([
      'the live stream ended: resuming it in 20ms',
      'the live stream ended: resuming it in 40ms',
      'the live stream ended: resuming it in 80ms',
      'the live stream ended: resuming it in 160ms',
    ]);
  });
});

describe('an error without an error body', () => {
  it('says its status once', async () => {
    const run = await cli(['transfer', 'get', 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1C']);
    expect(run.code).toBe(4);
    expect(run.stderr).toBe('error: tracker answered without an error body (HTTP 404)\n');
  });
});

describe('Ctrl-C during transfer submit', () => {
  it('prints the idempotency key to repeat the request with, and exits 130', async () => {
    for (const flags of [['--idempotency-key', 'order-4711'], []]) {
      const stop = new AbortController();
      onSubmit = () => stop.abort(new Error('Ctrl-C'));
      const run = await cli(['transfer', 'submit', '-', ...flags], {
        stdin: JSON.stringify({ reference: 'x' }),
        signal: stop.signal,
      });
      expect(run.code, run.stderr).toBe(130);
      const key = submits.at(-1) ?? '';
      expect(key).toBe(flags[1] ?? key);
      expect(key).not.toBe('');
      expect(run.stderr).toContain('interrupted');
      expect(run.stderr).toContain(`repeat it with --idempotency-key ${key} to be sure it is made once`);
      expect(run.stdout).toBe('');
    }
  });
});

describe('a resume the tracker refuses as too old', () => {
  it('tail says events were missed and follows from now, exit 0 on Ctrl-C', async () => {
    resumeTooOld = true;
    const run = await cli(['tail', '--json'], { signal: AbortSignal.timeout(1_000) });
    expect(run.code, run.stderr).toBe(0);
    const seqs = run.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs).toEqual([5, 2_000]);
    expect(run.stderr).toContain(
      'the live stream moved on too far while disconnected: events after #5 were missed; following from now',
    );
    // first open, the refused resume, the fresh open (which stays open)
    expect(liveOpens).toBe(3);
  });
});
