import { CliFailure, type FailureDetails } from './failure.js';

/** The position V8 names in a JSON.parse error (not every message has one). */
function positionOf(error: unknown): number | undefined {
  const where = /position (\d+)/.exec(String((error as Error | undefined)?.message));
  return where === null ? undefined : Number(where[1]);
}

/** Whether `prefix` could start a JSON document: it parses, or only its end is missing. */
function viablePrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    if (/end of JSON input/.test(String((error as Error).message))) return true;
    const position = positionOf(error);
    return position !== undefined && position >= prefix.length;
  }
}

/**
 * Where parsing failed: V8's position, or (for "Unexpected token", whose message has none but
 * quotes the text) the end of the longest prefix that could still start a document.
 */
function errorIndex(error: unknown, text: string): number {
  const position = positionOf(error);
  if (position !== undefined) return position;
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (viablePrefix(text.slice(0, middle))) good = middle;
    else bad = middle;
  }
  return good;
}

/**
 * Where a JSON text stops being JSON: ` at line L, column C`, or `: it is empty`. Never what is
 * there: V8's message quotes the start of the text, which may be a token (a token file given as
 * --config) or a serial (a transfer request).
 */
export function whereNotJson(error: unknown, text: string): string {
  if (text.trim() === '') return ': it is empty';
  const index = Math.min(errorIndex(error, text), text.length);
  const before = text.slice(0, index).split('\n');
  return ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** Parses a JSON document named `name` (a file, stdin); a usage failure saying where it is not JSON. */
export function parseJsonText(text: string, name: string, details: FailureDetails = {}): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliFailure('usage', `${name} is not JSON${whereNotJson(error, text)}`, details);
  }
}
