/** `interco instances ...`: the ERPNext instances (admin): list, add, test, remove, prepare, preflight. */
import { resolve } from 'node:path';
import {
  InstanceList,
  InstanceSummary,
  InstanceTestResult,
  PreflightReport,
  PrepareResult,
} from '../api/schemas.js';
import { CliFailure } from '../failure.js';
import { readAll } from '../io.js';
import { table } from '../output.js';
import {
  type Command,
  type CommandContext,
  integerFlag,
  listFlag,
  requiredFlag,
  stringFlag,
} from './command.js';
import { readJsonInput } from './json-input.js';

const ID = { name: 'id', description: 'the instance id, e.g. company-a' } as const;
const instancePath = (id: string, more = '') => `/v1/admin/instances/${encodeURIComponent(id)}${more}`;

function signalOf(context: CommandContext) {
  return context.io.signal === undefined ? {} : { signal: context.io.signal };
}

/** The API secret, from stdin or a file (never argv): the first line, trimmed. */
async function apiSecret(context: CommandContext): Promise<string> {
  const file = stringFlag(context, 'api-secret-file');
  const fromStdin = context.flags['api-secret-stdin'] === true;
  if ((file === undefined) === !fromStdin) {
    throw new CliFailure(
      'usage',
      'give the API secret with exactly one of --api-secret-stdin or --api-secret-file F',
      {
        usage: context.usage,
      },
    );
  }
  if (fromStdin && context.io.stdinIsTTY === true) {
    // Typed at a terminal, the secret would be echoed on screen (and kept in its scrollback).
    throw new CliFailure(
      'usage',
      '--api-secret-stdin reads a pipe, not a terminal: pipe the secret in (printf %s "$SECRET" | interco ...) or use --api-secret-file F',
      { usage: context.usage },
    );
  }
  let text: string;
  if (file !== undefined) {
    try {
      text = await context.io.readFile(resolve(context.io.cwd, file));
    } catch (error) {
      throw new CliFailure(
        'usage',
        `the API secret file ${file} cannot be read: ${(error as { code?: string }).code ?? 'error'}`,
        {
          usage: context.usage,
        },
      );
    }
  } else text = await readAll(context.io.stdin);
  const secret = (text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '').trim();
  if (secret === '') {
    throw new CliFailure('usage', `the API secret (${file === undefined ? 'stdin' : file}) is empty`, {
      usage: context.usage,
    });
  }
  return secret;
}

/** An instance's limits, as flags (add and update). */
const LIMIT_FLAGS = {
  'worker-timeout-ms': {
    type: 'string',
    value: 'MS',
    description: "the site's worker timeout (gunicorn's, default 120000)",
    inUsage: false,
  },
  'write-timeout-ms': {
    type: 'string',
    value: 'MS',
    description: 'how long a write may take (longer than the worker timeout)',
    inUsage: false,
  },
  'read-timeout-ms': {
    type: 'string',
    value: 'MS',
    description: 'how long a read may take',
    inUsage: false,
  },
  'max-in-flight': {
    type: 'string',
    value: 'N',
    description: 'most requests at once to this site',
    inUsage: false,
  },
} as const;

const LIMIT_FIELDS = [
  ['worker-timeout-ms', 'worker_timeout_ms'],
  ['write-timeout-ms', 'write_timeout_ms'],
  ['read-timeout-ms', 'read_timeout_ms'],
  ['max-in-flight', 'max_in_flight'],
] as const;

/** The limits given as flags, as the API's fields. */
function limitsOf(context: CommandContext): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [flag, field] of LIMIT_FIELDS) {
    const value = integerFlag(context, flag);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

const list: Command = {
  path: ['instances', 'list'],
  summary: 'List the ERPNext instances (never their credentials)',
  args: [],
  flags: {},
  examples: ['interco instances list', 'interco instances list --json'],
  async run(context) {
    const answer = (
      await context.api.call('intake', 'GET', '/v1/admin/instances', InstanceList, signalOf(context))
    ).body;
    if (context.json) context.out.json(answer);
    else if (answer.instances.length === 0) context.out.line('no instances');
    else {
      const rows = answer.instances.map((i) => [
        i.id,
        i.name,
        i.base_url,
        i.api_key_hint === '' ? '-' : `...${i.api_key_hint}`,
        i.updated_at,
      ]);
      context.out.lines(table([['ID', 'NAME', 'BASE URL', 'API KEY', 'UPDATED'], ...rows]));
    }
    return 0;
  },
};

const add: Command = {
  path: ['instances', 'add'],
  summary: 'Register an ERPNext instance (the API secret from stdin or a file, never the command line)',
  description:
    'Intake stores the API key and secret sealed (AES-256-GCM) and never answers them. Then run `interco instances test <id>` and `interco instances prepare <id>`.',
  args: [ID],
  flags: {
    name: { type: 'string', value: 'N', description: 'a name for people, e.g. "Compania A"' },
    'base-url': {
      type: 'string',
      value: 'U',
      description: "the site's URL, e.g. https://erp.company-a.example",
    },
    'api-key': { type: 'string', value: 'K', description: "the API user's key" },
    'api-secret-stdin': {
      type: 'boolean',
      description: "read the API user's secret from stdin",
      inUsage: false,
    },
    'api-secret-file': {
      type: 'string',
      value: 'F',
      description: "read the API user's secret from file F",
      inUsage: false,
    },
    ...LIMIT_FLAGS,
  },
  usageNote: '(--api-secret-stdin | --api-secret-file F)',
  examples: [
    'printf %s "$SECRET" | interco instances add company-a --name "Compania A" --base-url https://erp-a.example --api-key 1a2b3c --api-secret-stdin',
    'interco instances add company-b --name "Compania B" --base-url https://erp-b.example --api-key 4d5e6f --api-secret-file ./b.secret',
  ],
  async run(context) {
    const body: Record<string, unknown> = {
      id: context.args.id,
      name: requiredFlag(context, 'name'),
      base_url: requiredFlag(context, 'base-url'),
      api_key: requiredFlag(context, 'api-key'),
    };
    Object.assign(body, limitsOf(context));
    body.api_secret = await apiSecret(context);
    const answer = (
      await context.api.call('intake', 'POST', '/v1/admin/instances', InstanceSummary, {
        body,
        ...signalOf(context),
      })
    ).body;
    if (context.json) context.out.json(answer);
    else {
      context.out.line(`added ${answer.id} (${answer.name}, ${answer.base_url})`);
      context.out.line(
        `  next: interco instances test ${answer.id} && interco instances prepare ${answer.id}`,
      );
    }
    return 0;
  },
};

const update: Command = {
  path: ['instances', 'update'],
  summary: 'Change an instance: only the fields given (new credentials, URL, name, limits)',
  description:
    'A credential changes only by giving a new one: --api-key, and the secret with --api-secret-stdin or --api-secret-file F (never the command line). Then `interco instances test <id>`.',
  args: [ID],
  flags: {
    name: { type: 'string', value: 'N', description: 'a new name' },
    'base-url': { type: 'string', value: 'U', description: "the site's new URL" },
    'api-key': { type: 'string', value: 'K', description: "the API user's new key" },
    'api-secret-stdin': {
      type: 'boolean',
      description: "read the API user's new secret from stdin",
      inUsage: false,
    },
    'api-secret-file': {
      type: 'string',
      value: 'F',
      description: "read the API user's new secret from file F",
      inUsage: false,
    },
    ...LIMIT_FLAGS,
  },
  examples: [
    'printf %s "$NEW_SECRET" | interco instances update company-a --api-key 9z8y7x --api-secret-stdin',
    'interco instances update company-b --base-url https://erp-b.new.example --max-in-flight 4',
  ],
  async run(context) {
    const body: Record<string, unknown> = { ...limitsOf(context) };
    for (const [flag, field] of [
      ['name', 'name'],
      ['base-url', 'base_url'],
      ['api-key', 'api_key'],
    ] as const) {
      const value = stringFlag(context, flag);
      if (value !== undefined) body[field] = value;
    }
    if (context.flags['api-secret-stdin'] === true || stringFlag(context, 'api-secret-file') !== undefined) {
      body.api_secret = await apiSecret(context);
    }
    if (Object.keys(body).length === 0) {
      throw new CliFailure('usage', 'nothing to change: give at least one flag', { usage: context.usage });
    }
    const id = context.args.id ?? '';
    const answer = (
      await context.api.call('intake', 'PUT', instancePath(id), InstanceSummary, {
        body,
        ...signalOf(context),
      })
    ).body;
    if (context.json) context.out.json(answer);
    else context.out.line(`updated ${answer.id} (${answer.name}, ${answer.base_url})`);
    return 0;
  },
};

const test: Command = {
  path: ['instances', 'test'],
  summary: 'Test the connection and credentials of an instance (exit 1 when it cannot be used)',
  args: [ID],
  flags: {},
  examples: ['interco instances test company-a'],
  async run(context) {
    const id = context.args.id ?? '';
    const answer = (
      await context.api.call(
        'intake',
        'POST',
        instancePath(id, '/test'),
        InstanceTestResult,
        signalOf(context),
      )
    ).body;
    if (context.json) context.out.json(answer);
    else if (answer.ok) context.out.line(`${id}: ok, ERPNext answers as ${answer.user}`);
    else context.out.line(`${id}: cannot be used: ${answer.error}`);
    return answer.ok ? 0 : 1;
  },
};

const remove: Command = {
  path: ['instances', 'remove'],
  summary: 'Remove an instance (its sealed credentials are purged)',
  args: [ID],
  flags: {},
  examples: ['interco instances remove company-x'],
  async run(context) {
    const id = context.args.id ?? '';
    await context.api.call('intake', 'DELETE', instancePath(id), null, signalOf(context));
    if (!context.json) context.out.line(`removed ${id}`);
    return 0;
  },
};

const prepare: Command = {
  path: ['instances', 'prepare'],
  summary: 'Install the unique marker field on an instance (idempotent; exit 1 when not prepared)',
  description:
    'Needs System Manager on the site. Reads first, installs where missing, reports a wrong existing field without changing it.',
  args: [ID],
  flags: {
    doctype: {
      type: 'string',
      multiple: true,
      value: 'D',
      description: 'only this doctype (repeatable): "Purchase Order", "Purchase Receipt", "Delivery Note"',
    },
  },
  examples: [
    'interco instances prepare company-a',
    'interco instances prepare company-b --doctype "Purchase Receipt"',
  ],
  async run(context) {
    const id = context.args.id ?? '';
    const doctypes = listFlag(context, 'doctype');
    const answer = (
      await context.api.call('intake', 'POST', instancePath(id, '/prepare'), PrepareResult, {
        ...(doctypes.length === 0 ? {} : { body: { doctypes } }),
        ...signalOf(context),
      })
    ).body;
    if (context.json) context.out.json(answer);
    else
      context.out.lines([
        ...answer.summary,
        answer.prepared ? `${id}: prepared` : `${id}: NOT prepared (see above)`,
      ]);
    return answer.prepared ? 0 : 1;
  },
};

const preflight: Command = {
  path: ['instances', 'preflight'],
  summary: 'Check both instances of a transfer request for everything it needs (nothing is written)',
  description:
    "Reads the request's two instances (company_a_instance_id, company_b_instance_id): master data, settings, the marker field, rights, serials already there. Every problem at once; exit 1 when there is any.",
  args: [{ name: 'file|-', description: 'the transfer request to check (JSON), or - for stdin' }],
  flags: {},
  examples: ['interco instances preflight transfer.json'],
  async run(context) {
    const body = await readJsonInput(context, context.args['file|-'] ?? '-');
    const answer = (
      await context.api.call('intake', 'POST', '/v1/admin/preflight', PreflightReport, {
        body,
        ...signalOf(context),
      })
    ).body;
    if (context.json) context.out.json(answer);
    else if (answer.ok) context.out.line('preflight: ok, both instances have what the transfer needs');
    else {
      context.out.line(
        `preflight: ${answer.problems.length} problem${answer.problems.length === 1 ? '' : 's'}`,
      );
      for (const problem of answer.problems) {
        context.out.line(
          `  - company ${problem.instance.toUpperCase()} ${problem.check}${problem.path === undefined ? '' : ` (${problem.path})`}: ${problem.message}`,
        );
      }
    }
    return answer.ok ? 0 : 1;
  },
};

export const INSTANCE_COMMANDS: readonly Command[] = [list, add, update, test, remove, prepare, preflight];
