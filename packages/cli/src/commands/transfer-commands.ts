/** `interco transfer ...`: submit, get, list, counts, retry, cancel, events, serials, watch. */
import { randomUUID } from 'node:crypto';
import {
  TransferAccepted,
  TransferCounts,
  TransferEventsPage,
  TransferList,
  TransferRequestAccepted,
  TransferSerialsPage,
  TransferView,
} from '../api/schemas.js';
import { CliFailure, INTERRUPTED_EXIT_CODE } from '../failure.js';
import { table } from '../output.js';
import { formatDuration, since } from '../watch/format.js';
import { isStep, renderFrame, stepState } from '../watch/render-frame.js';
import { watchTransfer } from '../watch/watch-command.js';
import { booleanFlag, type Command, type CommandContext, integerFlag, stringFlag } from './command.js';
import { readJsonInput } from './json-input.js';

const ID = { name: 'id', description: 'the transfer id (tr_...)' } as const;
const WATCH = {
  type: 'boolean',
  description:
    'then follow the transfer live until it ends (exit 0 completed/cancelled, 1 failed/cancel_failed)',
} as const;

const transferPath = (id: string, more = '') => `/v1/transfers/${encodeURIComponent(id)}${more}`;

function signalOf(context: CommandContext) {
  return context.io.signal === undefined ? {} : { signal: context.io.signal };
}

const submit: Command = {
  path: ['transfer', 'submit'],
  summary: 'Request a transfer (the JSON request from a file, or - for stdin)',
  description:
    "Posts the request to intake with an Idempotency-Key (a new UUID unless given: repeating the command with the same key and body answers the same transfer). Prints the transfer id and where its status is read; --json prints intake's answer {transfer_id, status_url}.",
  args: [{ name: 'file|-', description: 'the transfer request (JSON), or - to read it from stdin' }],
  flags: {
    'idempotency-key': {
      type: 'string',
      value: 'K',
      description: '1 to 255 visible ASCII characters, e.g. a UUID (default: a new UUID)',
    },
    watch: WATCH,
  },
  examples: [
    'interco transfer submit transfer.json',
    'interco transfer submit transfer.json --watch',
    'interco transfer submit - --idempotency-key order-4711 --json < transfer.json',
  ],
  async run(context) {
    const body = await readJsonInput(context, context.args['file|-'] ?? '-');
    const key = stringFlag(context, 'idempotency-key') ?? randomUUID();
    let answer: TransferAccepted;
    try {
      answer = (
        await context.api.call('intake', 'POST', '/v1/transfers', TransferAccepted, {
          body,
          headers: { 'idempotency-key': key },
          ...signalOf(context),
        })
      ).body;
    } catch (error) {
      const hint = `the request may have been accepted: repeat it with --idempotency-key ${key} to be sure it is made once`;
      // Ctrl-C while the request was out: intake may have it, and the key is the only way to know.
      if (context.io.signal?.aborted === true) {
        context.out.note('interrupted');
        context.out.note(hint);
        return INTERRUPTED_EXIT_CODE;
      }
      if (error instanceof CliFailure && (error.kind === 'unreachable' || error.kind === 'unexpected')) {
        throw new CliFailure(error.kind, error.message, { ...error.details, hint });
      }
      throw error;
    }
    if (context.json) context.out.json(answer, booleanFlag(context, 'watch'));
    else {
      context.out.line(`accepted ${answer.transfer_id}`);
      context.out.line(`  status: ${answer.status_url}`);
      if (!booleanFlag(context, 'watch'))
        context.out.line(`  follow it: interco transfer watch ${answer.transfer_id}`);
    }
    return booleanFlag(context, 'watch') ? watchTransfer(context, answer.transfer_id) : 0;
  },
};

const get: Command = {
  path: ['transfer', 'get'],
  summary: 'Show a transfer: status, each step (state, attempts, documents, duration), errors',
  args: [ID],
  flags: {},
  examples: [
    'interco transfer get tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
    'interco transfer get tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B --json',
  ],
  async run(context) {
    const id = context.args.id ?? '';
    const view = (await context.api.call('tracker', 'GET', transferPath(id), TransferView, signalOf(context)))
      .body;
    if (context.json) context.out.json(view);
    else context.out.lines(renderFrame(view, new Date(context.now()), { paint: context.out.paint }));
    return 0;
  },
};

const LIST_FILTERS = {
  status: {
    type: 'string',
    value: 'S',
    description: 'pending, in_progress, waiting, failed, completed, cancelling, cancel_failed, cancelled',
  },
  step: { type: 'string', value: 'S', description: 'the current step: po_a, pr_a, dn_a or pr_b' },
  instance: { type: 'string', value: 'I', description: "either side's ERPNext instance id" },
  company: { type: 'string', value: 'C', description: 'any company the transfer names' },
  reference: { type: 'string', value: 'R', description: "the request's reference" },
  serial: { type: 'string', value: 'X', description: 'a serial the transfer moved' },
  'created-from': {
    type: 'string',
    value: 'T',
    description: 'created at or after (RFC 3339)',
    inUsage: false,
  },
  'created-to': { type: 'string', value: 'T', description: 'created before (RFC 3339)', inUsage: false },
  stuck: {
    type: 'boolean',
    description: 'only stuck transfers (running, no event for too long)',
    inUsage: false,
  },
  limit: { type: 'string', value: 'N', description: 'at most N (1 to 200, default 50)' },
  cursor: { type: 'string', value: 'C', description: 'the next page (the cursor the previous page printed)' },
} as const;

const list: Command = {
  path: ['transfer', 'list'],
  summary: 'List transfers, newest first, filtered and paged',
  args: [],
  flags: LIST_FILTERS,
  examples: [
    'interco transfer list',
    'interco transfer list --status failed --instance company-a --limit 20',
    'interco transfer list --serial SN-0001',
  ],
  async run(context) {
    const limit = integerFlag(context, 'limit');
    const query: Record<string, string | undefined> = {
      status: stringFlag(context, 'status'),
      step: stringFlag(context, 'step'),
      instance: stringFlag(context, 'instance'),
      company: stringFlag(context, 'company'),
      reference: stringFlag(context, 'reference'),
      serial: stringFlag(context, 'serial'),
      created_from: stringFlag(context, 'created-from'),
      created_to: stringFlag(context, 'created-to'),
      stuck: booleanFlag(context, 'stuck') ? 'true' : undefined,
      limit: limit === undefined ? undefined : String(limit),
      cursor: stringFlag(context, 'cursor'),
    };
    const page = (
      await context.api.call('tracker', 'GET', '/v1/transfers', TransferList, { query, ...signalOf(context) })
    ).body;
    if (context.json) {
      context.out.json(page);
      return 0;
    }
    if (page.transfers.length === 0) context.out.line('no transfers');
    else {
      const now = new Date(context.now());
      const rows = page.transfers.map((view) => {
        const step = isStep(view.current_step) ? view.current_step : view.failed_step;
        return [
          view.transfer_id,
          `${view.status}${view.stuck ? ' (stuck)' : ''}`,
          isStep(step) ? `${step}:${stepState(view, step)}` : (step ?? '-'),
          view.request?.reference ?? '-',
          view.request === null ? '-' : `${view.request.instances.a} -> ${view.request.instances.b}`,
          view.request === null ? '-' : String(view.request.counts.serials),
          `${formatDuration(since(view.created_at, now) ?? 0)} ago`,
        ];
      });
      context.out.lines(
        table([['TRANSFER', 'STATUS', 'STEP', 'REFERENCE', 'INSTANCES', 'SERIALS', 'CREATED'], ...rows]),
      );
    }
    if (page.next_cursor !== null)
      context.out.note(`more: interco transfer list ... --cursor ${page.next_cursor}`);
    return 0;
  },
};

const counts: Command = {
  path: ['transfer', 'counts'],
  summary: 'How many transfers per status, and how many are stuck',
  args: [],
  flags: {},
  examples: ['interco transfer counts'],
  async run(context) {
    const answer = (
      await context.api.call('tracker', 'GET', '/v1/transfers/counts', TransferCounts, signalOf(context))
    ).body;
    if (context.json) context.out.json(answer);
    else {
      const rows = Object.entries(answer.by_status).map(([status, count]) => [status, String(count)]);
      context.out.lines(table([...rows, ['total', String(answer.total)], ['stuck', String(answer.stuck)]]));
    }
    return 0;
  },
};

function retryOrCancel(action: 'retry' | 'cancel'): Command {
  return {
    path: ['transfer', action],
    summary:
      action === 'retry'
        ? 'Retry a failed transfer from its failed step (or a failed cancel)'
        : 'Cancel a transfer: its documents are cancelled, last first',
    description:
      action === 'retry'
        ? 'Allowed when the transfer failed or its cancel failed; otherwise intake refuses (exit 5) and says why.'
        : 'Allowed unless the transfer is already cancelling or cancelled (exit 5 then); a completed transfer takes its serials back first.',
    args: [ID],
    flags: {
      reason: { type: 'string', value: 'R', description: 'why, for the people reading the history' },
      watch: WATCH,
    },
    examples: [
      `interco transfer ${action} tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B --reason "${action === 'retry' ? 'price list fixed' : 'sent to the wrong company'}"`,
      `interco transfer ${action} tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B --watch`,
    ],
    async run(context) {
      const id = context.args.id ?? '';
      const reason = stringFlag(context, 'reason');
      const answer = (
        await context.api.call('intake', 'POST', transferPath(id, `/${action}`), TransferRequestAccepted, {
          ...(reason === undefined ? {} : { body: { reason } }),
          ...signalOf(context),
        })
      ).body;
      const watch = booleanFlag(context, 'watch');
      if (context.json) context.out.json(answer, watch);
      else
        context.out.line(
          `${action === 'retry' ? 'retry' : 'cancel'} requested for ${answer.transfer_id} (generation ${answer.generation})`,
        );
      return watch ? watchTransfer(context, answer.transfer_id, answer.generation) : 0;
    },
  };
}

const events: Command = {
  path: ['transfer', 'events'],
  summary: 'The timeline of a transfer: every event the tracker saw, in stream order',
  args: [ID],
  flags: {
    'after-seq': {
      type: 'string',
      value: 'N',
      description: 'start after this stream sequence (the next page)',
    },
    limit: { type: 'string', value: 'N', description: 'at most N (1 to 1000, default 100)' },
  },
  examples: [
    'interco transfer events tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
    'interco transfer events tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B --json',
  ],
  async run(context) {
    const id = context.args.id ?? '';
    const after = integerFlag(context, 'after-seq');
    const limit = integerFlag(context, 'limit');
    const page = (
      await context.api.call('tracker', 'GET', transferPath(id, '/events'), TransferEventsPage, {
        query: {
          after_seq: after === undefined ? undefined : String(after),
          limit: limit === undefined ? undefined : String(limit),
        },
        ...signalOf(context),
      })
    ).body;
    if (context.json) {
      context.out.json(page);
      return 0;
    }
    const rows = page.events.map((event) => [
      String(event.seq),
      event.time,
      event.type,
      `gen ${event.generation}`,
      event.actor,
      event.change === 'applied'
        ? ''
        : `${event.change}${event.reason === undefined ? '' : `: ${event.reason}`}`,
    ]);
    context.out.lines(table([['SEQ', 'TIME', 'EVENT', 'GEN', 'ACTOR', 'NOTE'], ...rows]));
    if (page.next_after_seq !== null)
      context.out.note(`more: interco transfer events ${id} --after-seq ${page.next_after_seq}`);
    return 0;
  },
};

const serials: Command = {
  path: ['transfer', 'serials'],
  summary: 'The serials of a transfer, with their item codes (needs serials:read and transfers:read)',
  description: 'Serials may be PINs: this is the one command that prints them.',
  args: [ID],
  flags: {
    limit: { type: 'string', value: 'N', description: 'at most N (1 to 1000, default 100)' },
    cursor: { type: 'string', value: 'C', description: 'the next page' },
  },
  examples: ['interco transfer serials tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B --limit 1000'],
  async run(context) {
    const id = context.args.id ?? '';
    const limit = integerFlag(context, 'limit');
    const page = (
      await context.api.call('tracker', 'GET', transferPath(id, '/serials'), TransferSerialsPage, {
        query: {
          limit: limit === undefined ? undefined : String(limit),
          cursor: stringFlag(context, 'cursor'),
        },
        ...signalOf(context),
      })
    ).body;
    if (context.json) {
      context.out.json(page);
      return 0;
    }
    context.out.lines(table(page.serials.map((entry) => [entry.item_code, entry.serial])));
    context.out.note(
      `${page.serials.length} of ${page.total} serials${page.next_cursor === null ? '' : `; more: --cursor ${page.next_cursor}`}`,
    );
    return 0;
  },
};

const watch: Command = {
  path: ['transfer', 'watch'],
  summary: 'Follow a transfer live until it ends (exit 0 completed/cancelled, 1 failed/cancel_failed)',
  description:
    "Uses the tracker's live stream for the transfer (polling when it is not available); on a terminal the display is redrawn in place, otherwise each change is printed as a new frame. With --json, one line of JSON (the transfer) per change. Ctrl-C stops watching (exit 130); the transfer goes on.",
  args: [ID],
  flags: {},
  examples: [
    'interco transfer watch tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B',
    'interco transfer watch tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B --json | jq .status',
  ],
  run: (context) => watchTransfer(context, context.args.id ?? ''),
};

export const TRANSFER_COMMANDS: readonly Command[] = [
  submit,
  get,
  list,
  counts,
  retryOrCancel('retry'),
  retryOrCancel('cancel'),
  events,
  serials,
  watch,
];
