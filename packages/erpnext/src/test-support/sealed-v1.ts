import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * A value sealed the way SecretBox sealed before key rings (format v1, no key fingerprint):
 * `v1:<nonce>:<tag>:<ciphertext>`, AES-256-GCM with `keyText` (base64), for tests of what older
 * deployments stored.
 */
export function sealV1(keyText: string, plaintext: string, associatedData: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keyText, 'base64'), nonce);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', ...[nonce, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join(
    ':',
  );
}
