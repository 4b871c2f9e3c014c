/** `interco tokens ...`: API tokens (admin): mint, list, revoke. */
import { MintedToken, TokenList } from '../api/schemas.js';
import { CliFailure } from '../failure.js';
import { table } from '../output.js';
import { type Command, type CommandContext, listFlag, requiredFlag, stringFlag } from './command.js';

function signalOf(context: CommandContext) {
  return context.io.signal === undefined ? {} : { signal: context.io.signal };
}

const mint: Command = {
  path: ['tokens', 'mint'],
  summary: 'Mint an API token: printed this once (only its hash is kept)',
  description:
    'Scopes: transfers:write, transfers:read, serials:read, admin (repeat --scope, or separate them with commas). In text mode the token alone goes to stdout (so `> file` keeps just it) and its details to stderr.',
  args: [],
  flags: {
    name: { type: 'string', value: 'N', description: 'who or what holds the token' },
    scope: { type: 'string', multiple: true, value: 'S', description: 'what it may do (repeatable)' },
    'expires-at': {
      type: 'string',
      value: 'T',
      description: 'when it stops working (RFC 3339, in the future)',
    },
  },
  examples: [
    'interco tokens mint --name ci-pipeline --scope transfers:write --scope transfers:read > ci.token',
    'interco tokens mint --name ana@example.com --scope transfers:read,serials:read --expires-at 2027-01-01T00:00:00Z',
  ],
  async run(context) {
    const scopes = listFlag(context, 'scope')
      .flatMap((value) => value.split(','))
      .map((scope) => scope.trim())
      .filter((scope) => scope !== '');
    if (scopes.length === 0) throw new CliFailure('usage', 'missing --scope', { usage: context.usage });
    const expiresAt = stringFlag(context, 'expires-at');
    const body = {
      name: requiredFlag(context, 'name'),
      scopes,
      ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
    };
    const answer = (
      await context.api.call('intake', 'POST', '/v1/admin/tokens', MintedToken, {
        body,
        ...signalOf(context),
      })
    ).body;
    if (context.json) {
      context.out.json(answer);
      return 0;
    }
    const record = answer.record;
    context.out.note(
      `minted token ${record.id} (${record.name}; ${record.scopes.join(', ')}${record.expires_at === undefined ? '' : `; expires ${record.expires_at}`})`,
    );
    context.out.note(
      context.out.errPaint.yellow(
        'warning: the token is shown this once; store it now (only its hash is kept)',
      ),
    );
    context.out.line(answer.token);
    return 0;
  },
};

const list: Command = {
  path: ['tokens', 'list'],
  summary: 'List the live API tokens (never a token or its hash)',
  args: [],
  flags: {},
  examples: ['interco tokens list'],
  async run(context) {
    const answer = (await context.api.call('intake', 'GET', '/v1/admin/tokens', TokenList, signalOf(context)))
      .body;
    if (context.json) context.out.json(answer);
    else if (answer.tokens.length === 0) context.out.line('no tokens');
    else {
      const rows = answer.tokens.map((t) => [
        t.id,
        t.name,
        t.scopes.join(','),
        t.created_at,
        t.expires_at ?? '-',
      ]);
      context.out.lines(table([['ID', 'NAME', 'SCOPES', 'CREATED', 'EXPIRES'], ...rows]));
    }
    return 0;
  },
};

const revoke: Command = {
  path: ['tokens', 'revoke'],
  summary: 'Revoke an API token (refused from now on, everywhere)',
  args: [{ name: 'id', description: 'the token id (12 characters, as `tokens list` shows)' }],
  flags: {},
  examples: ['interco tokens revoke k3x9m2p7q4rt'],
  async run(context) {
    const id = context.args.id ?? '';
    await context.api.call(
      'intake',
      'DELETE',
      `/v1/admin/tokens/${encodeURIComponent(id)}`,
      null,
      signalOf(context),
    );
    if (!context.json) context.out.line(`revoked ${id}`);
    return 0;
  },
};

export const TOKEN_COMMANDS: readonly Command[] = [mint, list, revoke];
