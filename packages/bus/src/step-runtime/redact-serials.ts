/**
 * Takes the transfer's serials out of ERPNext's messages before they leave in an event
 * (`<step>.failed`, `<step>.cancel_failed`): ERPNext quotes the serials it refuses ("Serial No
 * <strong>SN-1</strong> is already present in the warehouse ..."), and events never carry serials.
 * Each serial of the manifest found in a message becomes a placeholder naming where it is in the
 * request, `[serial items[0].serials[3]]`, which an operator resolves with `serials:read`.
 *
 * Found as ERPNext compares names: case- and accent-insensitively (`nameKey`). Found where ERPNext
 * puts them: in text, in HTML (Frappe wraps names in `<b>`/`<strong>` or links to them), with HTML
 * entities (`&amp;`) or percent-encoding (a link's `href`) decoded before comparing. An occurrence
 * stands on its own: the characters around it are not letters or digits (so `SN-1` is not found
 * inside `SN-10`), and at each place the longest serial wins.
 *
 * Cost: the index is one Map of the case-folded serials (built once per manifest); a message is
 * scanned once, trying at each place where a name can start only the lengths up to the longest
 * serial: O(message length × longest serial), whatever the number of serials (100,000 or 1).
 */
import { nameKey, type TransferRequest } from '@interco/contracts';

/** `[serial items[i].serials[j]]`: where the serial is in the request. */
export function serialPlaceholder(path: string): string {
  return `[serial ${path}]`;
}

const WORD = /[\p{L}\p{N}\p{M}]/u;
const ASCII = /^[\x20-\x7e]*$/;

export class SerialRedactor {
  /** nameKey(serial) -> its request path (the first, when two serials share a key). */
  readonly #paths = new Map<string, string>();
  /** The lengths of the keys (a candidate of printable ASCII keeps its length when folded). */
  readonly #keyLengths = new Set<number>();
  /** The first characters of the keys (folded). */
  readonly #firstChars = new Set<string>();
  /** The longest candidate worth trying, in characters of the decoded message. */
  readonly #window: number;
  /** Whether a key has a character outside printable ASCII (then no quick filters apply to it). */
  readonly #exotic: boolean;

  constructor(serials: Iterable<{ serial: string; path: string }>) {
    let longest = 0;
    let exotic = false;
    for (const { serial, path } of serials) {
      const key = nameKey(serial);
      if (key === '' || this.#paths.has(key)) continue;
      this.#paths.set(key, path);
      this.#keyLengths.add(key.length);
      this.#firstChars.add(key[0] ?? '');
      longest = Math.max(longest, serial.length, key.length);
      if (!ASCII.test(serial)) exotic = true;
    }
    this.#exotic = exotic;
    // An accented serial may come back decomposed (one mark more per letter): twice as long at most.
    this.#window = exotic ? longest * 2 + 2 : longest;
  }

  /** The serials of a manifest, by their request paths. */
  static of(manifest: Pick<TransferRequest, 'items'>): SerialRedactor {
    const cached = CACHE.get(manifest);
    if (cached !== undefined) return cached;
    const redactor = new SerialRedactor(
      (function* () {
        for (const [i, item] of manifest.items.entries()) {
          for (const [j, serial] of item.serials.entries())
            yield { serial, path: `items[${i}].serials[${j}]` };
        }
      })(),
    );
    CACHE.set(manifest, redactor);
    return redactor;
  }

  get size(): number {
    return this.#paths.size;
  }

  /**
   * The message with every serial replaced by its placeholder. With `maxLength`, the scan stops
   * once the answer is longer than that (the caller cuts it there): nothing before the cut is
   * left unscanned.
   */
  redact(message: string, maxLength = Number.POSITIVE_INFINITY): string {
    if (this.#paths.size === 0 || message === '') return message;
    const view = decodedView(message);
    const text = view.text;
    const n = text.length;
    const folded = foldedAscii(text);
    const endOk = (j: number) => j === n || !WORD.test(text[j] ?? '');
    let out = '';
    let copied = 0; // raw index copied up to
    let i = 0;
    while (i < n) {
      if (out.length + (view.starts[i] ?? 0) - copied > maxLength) break;
      if (i > 0 && WORD.test(text[i - 1] ?? '')) {
        i++;
        continue;
      }
      const path = this.#matchAt(text, folded, i, endOk);
      if (path === undefined) {
        i++;
        continue;
      }
      const start = view.starts[i] ?? 0;
      const end = view.ends[path.end - 1] ?? start;
      out += message.slice(copied, start) + serialPlaceholder(path.path);
      copied = end;
      i = path.end;
    }
    return out + message.slice(copied);
  }

  /** Every message redacted (see `redact`). */
  redactAll(messages: readonly string[], maxLength?: number): string[] {
    return messages.map((message) => this.redact(message, maxLength));
  }

  #matchAt(
    text: string,
    folded: FoldedText,
    i: number,
    endOk: (j: number) => boolean,
  ): { path: string; end: number } | undefined {
    const first = text[i] ?? '';
    if (!this.#exotic && ASCII.test(first) && !this.#firstChars.has(first.toLowerCase())) return undefined;
    const last = Math.min(text.length, i + this.#window);
    for (let j = last; j > i; j--) {
      if (!endOk(j)) continue;
      let key: string;
      if (folded.exotic[j] === folded.exotic[i]) {
        // Printable ASCII only: folding keeps the length.
        if (!this.#keyLengths.has(j - i)) continue;
        key = folded.text.slice(i, j);
      } else {
        key = nameKey(text.slice(i, j));
      }
      const path = this.#paths.get(key);
      if (path !== undefined) return { path, end: j };
    }
    return undefined;
  }
}

interface FoldedText {
  /** The text with printable ASCII lower-cased (other characters as they are). */
  text: string;
  /** exotic[k]: how many of the first k characters are not printable ASCII. */
  exotic: Uint32Array;
}

function foldedAscii(text: string): FoldedText {
  const exotic = new Uint32Array(text.length + 1);
  let count = 0;
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k);
    if (code < 0x20 || code > 0x7e) count++;
    exotic[k + 1] = count;
  }
  return { text: count === 0 ? text.toLowerCase() : text.replace(/[A-Z]+/g, (m) => m.toLowerCase()), exotic };
}

const CACHE = new WeakMap<object, SerialRedactor>();

/** `messages` with the manifest's serials replaced by their placeholders (see SerialRedactor). */
export function redactSerials(
  messages: readonly string[],
  manifest: Pick<TransferRequest, 'items'>,
  maxLength?: number,
): string[] {
  return SerialRedactor.of(manifest).redactAll(messages, maxLength);
}

interface DecodedView {
  /** The message with HTML entities and percent-encoding decoded. */
  text: string;
  /** For each code unit of `text`: where its source starts in the message. */
  starts: number[];
  /** ... and where it ends (exclusive). */
  ends: number[];
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

const ENTITY = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,8}));/;
const HEX2 = /^%([0-9a-fA-F]{2})/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The message as a reader sees its names: entities and percent-encoding decoded, with positions. */
function decodedView(message: string): DecodedView {
  if (!message.includes('&') && !message.includes('%')) {
    const starts = Array.from({ length: message.length }, (_, k) => k);
    return { text: message, starts, ends: starts.map((k) => k + 1) };
  }
  let text = '';
  const starts: number[] = [];
  const ends: number[] = [];
  const push = (decoded: string, from: number, to: number) => {
    text += decoded;
    for (let k = 0; k < decoded.length; k++) {
      starts.push(from);
      ends.push(to);
    }
  };
  let i = 0;
  while (i < message.length) {
    const c = message[i];
    if (c === '&') {
      const m = ENTITY.exec(message.slice(i, i + 12));
      const decoded = m === null ? undefined : entityText(m);
      if (m !== null && decoded !== undefined) {
        push(decoded, i, i + m[0].length);
        i += m[0].length;
        continue;
      }
    } else if (c === '%') {
      const decoded = percentChar(message, i);
      if (decoded !== undefined) {
        push(decoded.text, i, decoded.end);
        i = decoded.end;
        continue;
      }
    }
    push(c ?? '', i, i + 1);
    i++;
  }
  return { text, starts, ends };
}

function entityText(m: RegExpExecArray): string | undefined {
  const [, decimal, hex, name] = m;
  const code =
    decimal !== undefined ? Number(decimal) : hex !== undefined ? Number.parseInt(hex, 16) : undefined;
  if (code !== undefined) {
    if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    return String.fromCodePoint(code);
  }
  return name === undefined ? undefined : NAMED_ENTITIES[name.toLowerCase()];
}

/** One UTF-8 character percent-encoded at `at` (`%C3%89`), or undefined. */
function percentChar(message: string, at: number): { text: string; end: number } | undefined {
  const bytes: number[] = [];
  let end = at;
  const byteAt = (k: number) => {
    const m = HEX2.exec(message.slice(k, k + 3));
    return m === null ? undefined : Number.parseInt(m[1] ?? '', 16);
  };
  const lead = byteAt(end);
  if (lead === undefined) return undefined;
  const length =
    lead < 0x80
      ? 1
      : lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
  if (length === 0) return undefined;
  for (let k = 0; k < length; k++) {
    const byte = byteAt(end);
    if (byte === undefined) return undefined;
    bytes.push(byte);
    end += 3;
  }
  try {
    return { text: UTF8.decode(new Uint8Array(bytes)), end };
  } catch {
    return undefined;
  }
}
