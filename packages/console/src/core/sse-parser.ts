/**
 * An incremental parser of server-sent events (text/event-stream, as /v1/live sends them): text
 * in, completed messages out (comments are dropped). Pure, so the live reader (api/live.ts) and
 * the tests share it.
 * The browser's EventSource cannot send an Authorization header, hence this parser.
 */

export interface SseMessage {
  /** The `id` field: for /v1/live the stream sequence; undefined when none was sent yet. */
  readonly id: string | undefined;
  /** The `event` field; `message` when absent. */
  readonly event: string;
  /** The `data` lines, joined with newlines. */
  readonly data: string;
}

const LINE_END = /\r\n|\r|\n/;

export class SseParser {
  #pending = '';
  #started = false;
  /** The last event id (it carries over to later messages, as the spec says). */
  #lastId: string | undefined;
  #event: string | undefined;
  #data: string[] = [];

  /** Feeds a chunk of text; answers the messages it completes (comments are dropped). */
  push(chunk: string): SseMessage[] {
    let text = this.#pending + chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.startsWith('\uFEFF')) text = text.slice(1);
    }
    const messages: SseMessage[] = [];
    for (;;) {
      const match = LINE_END.exec(text);
      if (match === null) break;
      // A \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (match[0] === '\r' && match.index === text.length - 1) break;
      const message = this.#line(text.slice(0, match.index));
      text = text.slice(match.index + match[0].length);
      if (message !== undefined) messages.push(message);
    }
    this.#pending = text;
    return messages;
  }

  #line(line: string): SseMessage | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastId = value;
        break;
      default:
        // `retry` and unknown fields: the console keeps its own reconnection delay.
        break;
    }
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    const event = this.#event;
    const data = this.#data;
    this.#event = undefined;
    this.#data = [];
    if (data.length === 0) return undefined;
    return {
      id: this.#lastId,
      event: event === undefined || event === '' ? 'message' : event,
      data: data.join('\n'),
    };
  }
}
