import { createHash } from 'node:crypto';

/** `sha256:<hex>` of a text's UTF-8 bytes (the form of `Sha256Digest` in events and records). */
export function sha256Digest(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
