/**
 * Server-sent events (text/event-stream), as the tracker's /v1/live sends them: an incremental
 * parser (pure: text in, messages out) and a reader over a response body.
 */

export interface SseMessage {
  /** The `id` field (the stream sequence for /v1/live); undefined when the message had none. */
  readonly id: string | undefined;
  /** The `event` field; `message` when absent. */
  readonly event: string;
  /** The `data` lines joined with newlines. */
  readonly data: string;
}

/** Feeds text as it arrives; answers the messages completed by it (comments are dropped). */
export class SseParser {
  #buffer = '';
  #id: string | undefined;
  #event: string | undefined;
  #data: string[] = [];

  push(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (match === null) break;
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (match[0] === '\r' && match.index === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const message = this.#line(line);
      if (message !== undefined) out.push(message);
    }
    return out;
  }

  #line(line: string): SseMessage | undefined {
    if (line === '') {
      if (this.#data.length === 0) {
        this.#event = undefined;
        return undefined;
      }
      const message = { id: this.#id, event: this.#event ?? 'message', data: this.#data.join('\n') };
      this.#event = undefined;
      this.#data = [];
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }
}

/** The messages of a body, in order, until it ends (or fails: the error is thrown on). */
export async function* readSse(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* parser.push(text);
  }
}
