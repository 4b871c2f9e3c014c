import type { Command } from './command.js';
import { INSTANCE_COMMANDS } from './instance-commands.js';
import { tail } from './tail-command.js';
import { TOKEN_COMMANDS } from './token-commands.js';
import { TRANSFER_COMMANDS } from './transfer-commands.js';

export type { Command, CommandContext } from './command.js';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  ...TRANSFER_COMMANDS,
  ...INSTANCE_COMMANDS,
  ...TOKEN_COMMANDS,
  tail,
];

/** What each group is for (its help's first line). */
export const GROUPS: Readonly<Record<string, string>> = {
  transfer: 'Transfers: request, read, list, retry, cancel, follow.',
  instances: 'ERPNext instances (admin): register, test, prepare, remove, preflight a request.',
  tokens: 'API tokens (admin): mint, list, revoke.',
};
