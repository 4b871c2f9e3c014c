/**
 * Reading the body of a failed answer: Frappe's JSON error body (`exc_type`, `exception`,
 * `_server_messages` double-encoded, `_error_message`), or the HTML/text page a proxy or
 * gunicorn sent instead. Pure functions; no decisions (those are in classify.ts).
 */
import { decodeEntities } from './erpnext-error.js';

export interface DecodedErrorBody {
  /** The body parsed as a JSON object, when it is one. */
  json?: Record<string, unknown>;
  excType?: string;
  exception?: string;
  /** `_server_messages` decoded twice, then `_error_message`; each text exactly as sent. */
  messages: string[];
  /** For non-JSON bodies: the page's title or first words, entities decoded, at most 300 characters. */
  detail?: string;
  /** The raw text, for the few checks that look into non-JSON pages. */
  text: string;
}

const MAX_DETAIL = 300;

export function decodeErrorBody(text: string): DecodedErrorBody {
  const json = parseJsonObject(text);
  if (json === undefined) {
    const detail = pageDetail(text);
    return detail === undefined ? { messages: [], text } : { messages: [], detail, text };
  }
  const out: DecodedErrorBody = { json, messages: decodeServerMessages(json._server_messages), text };
  if (typeof json.exc_type === 'string' && json.exc_type !== '') out.excType = json.exc_type;
  if (typeof json.exception === 'string' && json.exception !== '') out.exception = json.exception;
  const errorMessage = json._error_message;
  if (typeof errorMessage === 'string' && errorMessage !== '' && !out.messages.includes(errorMessage)) {
    out.messages.push(errorMessage);
  }
  return out;
}

/**
 * `_server_messages`: a JSON string holding a list of JSON strings, each a msgprint dict
 * `{"message", "title", "indicator", "raise_exception", ...}`. Parse twice. A `message` may itself
 * be a list (`as_list`): each item becomes one message. An entry that does not parse is kept as
 * its raw text. Tolerates a list that was already decoded once.
 */
export function decodeServerMessages(raw: unknown): string[] {
  let list: unknown = raw;
  if (typeof raw === 'string') {
    list = tryJson(raw);
    if (list === undefined) return raw === '' ? [] : [raw];
  }
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const entry of list) {
    const dict = typeof entry === 'string' ? (tryJson(entry) ?? entry) : entry;
    if (typeof dict === 'string') out.push(dict);
    else if (isRecord(dict) && 'message' in dict) pushMessage(out, dict.message);
    else if (dict !== null && dict !== undefined) out.push(JSON.stringify(dict));
  }
  return out;
}

function pushMessage(out: string[], message: unknown): void {
  if (typeof message === 'string') out.push(message);
  else if (Array.isArray(message)) for (const item of message) pushMessage(out, item);
  else if (message !== null && message !== undefined) out.push(JSON.stringify(message));
}

/** The title of an HTML page (nginx: "502 Bad Gateway"), or its first words. */
function pageDetail(text: string): string | undefined {
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
  const source = title !== undefined && title.trim() !== '' ? title : text.replace(/<[^>]*>/g, ' ');
  const detail = decodeEntities(source).replace(/\s+/g, ' ').trim();
  if (detail === '') return undefined;
  return detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL - 1)}…` : detail;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const value = tryJson(text);
  return isRecord(value) ? value : undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
