/** Server-sent events as the wire carries them (https://html.spec.whatwg.org/#server-sent-events). */

/** One message: `id`, `event` and one `data` line (JSON never holds a raw newline). */
export function sseMessage(message: { id: number | string; event: string; data: unknown }): string {
  const event = message.event.replace(/[\r\n]/g, ' ');
  return `id: ${String(message.id)}\nevent: ${event}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies from closing an idle stream. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

/** `Last-Event-ID` as a stream sequence: a whole number ≥ 1, or undefined when it is not one. */
export function parseLastEventId(header: string | undefined): number | undefined {
  if (header === undefined || !/^[1-9][0-9]{0,15}$/.test(header.trim())) return undefined;
  const value = Number(header.trim());
  return Number.isSafeInteger(value) ? value : undefined;
}
