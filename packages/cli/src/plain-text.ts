/**
 * Text from elsewhere (ERPNext's messages, document names, the APIs' messages) made safe to print
 * on a terminal: control characters could carry escape sequences that retitle the window, move the
 * cursor, rewrite the screen or set the clipboard. Line breaks are kept, a tab becomes a space.
 */

/** Every C0 control but the line feed, DEL, and the C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/** A colour sequence (SGR) as the CLI's own paint writes it; nothing else is kept. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const COLOUR_OR_CONTROL = /\u001b\[[0-9;]*m|[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

const replace = (match: string) => (match.length > 1 ? match : match === '\t' ? ' ' : '');

/** Remote text without control characters (but line breaks). */
export function plainText(text: string): string {
  return text.replace(CONTROL, replace);
}

/** A line about to be printed: colour sequences kept, every other control character dropped. */
export function terminalSafe(text: string): string {
  return text.replace(COLOUR_OR_CONTROL, replace);
}
