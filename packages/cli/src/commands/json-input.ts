import { resolve } from 'node:path';
import { CliFailure } from '../failure.js';
import { readAll } from '../io.js';
import { parseJsonText } from '../json-text.js';
import type { CommandContext } from './command.js';

/**
 * A JSON document from a file or stdin (`-`). The parse error says where, never what is there
 * (a transfer request holds serials, which may be PINs).
 */
export async function readJsonInput(context: CommandContext, source: string): Promise<unknown> {
  const name = source === '-' ? 'stdin' : source;
  let text: string;
  try {
    text =
      source === '-'
        ? await readAll(context.io.stdin)
        : await context.io.readFile(resolve(context.io.cwd, source));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new CliFailure('usage', `${name} cannot be read: ${why}`, { usage: context.usage });
  }
  return parseJsonText(text, name, { usage: context.usage });
}
