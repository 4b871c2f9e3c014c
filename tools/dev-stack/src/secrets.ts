import { readFile, writeFile } from 'node:fs/promises';
import { hashToken, mintBootstrapToken } from '@interco/auth';
import { SecretBox } from '@interco/erpnext';
import type { StackLayout } from './layout.js';

/** The stack's secrets: the deployment key and the bootstrap admin token (only its hash leaves this process). */
export interface StackSecrets {
  readonly secretKey: string;
  readonly adminToken: string;
  readonly tokenHash: string;
  /** What was made by this call (first start, or a file deleted since). */
  readonly created: ReadonlyArray<'secret-key' | 'admin-token'>;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a new secret file, readable by its owner only; fails if it exists (two starts at once). */
async function writeSecret(path: string, value: string): Promise<void> {
  await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
}

/**
 * Reads `secret-key` and `admin-token` from the data folder, making whichever is missing: a
 * random 32-byte key, and a bootstrap admin token (`@interco/auth`) whose hash intake and the
 * tracker get. Both files are mode 0600.
 */
export async function ensureSecrets(layout: StackLayout): Promise<StackSecrets> {
  const created: Array<'secret-key' | 'admin-token'> = [];
  let secretKey = await readIfExists(layout.secretKey);
  if (secretKey === undefined || secretKey === '') {
    secretKey = SecretBox.generateKeyText();
    await writeSecret(layout.secretKey, secretKey);
    created.push('secret-key');
  }
  let adminToken = await readIfExists(layout.adminToken);
  if (adminToken === undefined || adminToken === '') {
    adminToken = mintBootstrapToken().token;
    await writeSecret(layout.adminToken, adminToken);
    created.push('admin-token');
  }
  return { secretKey, adminToken, tokenHash: hashToken(adminToken), created };
}
