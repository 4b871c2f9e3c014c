/** A pino destination for this package's tests that keeps every log line, parsed. */
import { Writable } from 'node:stream';

export interface LogLines {
  /** The lines written so far, parsed (pino writes one JSON object a line). */
  readonly lines: Record<string, unknown>[];
  /** Pass it as the logger's `destination`. */
  readonly destination: Writable;
  /** Each line's `msg`. */
  messages(): unknown[];
  /** Every line as one JSON text (to check what it never contains). */
  text(): string;
}

export function logLines(): LogLines {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return {
    lines,
    destination,
    messages: () => lines.map((line) => line.msg),
    text: () => JSON.stringify(lines),
  };
}
