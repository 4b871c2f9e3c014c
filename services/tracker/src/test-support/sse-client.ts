/** Reads server-sent events over real HTTP (undici), for the /v1/live tests. */
import { fetch } from 'undici';

export interface SseMessage {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
}

export interface SseConnection {
  readonly status: number;
  /** A response header (null when absent). */
  header(name: string): string | null;
  /** Waits for the next `count` messages (comments skipped). */
  next(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  /** Whether a comment with this text has come. */
  sawComment(text: string): boolean;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseConnection> {
  const abort = new AbortController();
  const response = await fetch(url, { headers, signal: abort.signal });
  const queue: SseMessage[] = [];
  const comments: string[] = [];
  let buffer = '';
  let wake: (() => void) | undefined;
  const body = response.body;
  if (body !== null) {
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            const colon = line.indexOf(': ');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
          }
          const data = fields.get('data');
          if (data !== undefined) {
            queue.push({
              id: fields.get('id') ?? '',
              event: fields.get('event') ?? '',
              data: JSON.parse(data),
            });
          }
          wake?.();
          end = buffer.indexOf('\n\n');
        }
      }
    })().catch(() => undefined);
  }
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    sawComment: (text) => comments.includes(text),
    next: async (count, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (queue.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${queue.length} of ${count} SSE messages came in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 100));
        });
      }
      return queue.splice(0, count);
    },
    close: () => abort.abort(),
  };
}
