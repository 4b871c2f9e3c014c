import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hashToken, mintBootstrapToken } from '@interco/auth';
import { SecretBox } from '@interco/erpnext';
import { StackStartError } from './checks.js';
import { displayPath, type StackLayout } from './layout.js';

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

/**
 * Writes a secret file, readable by its owner only. A new one fails if it exists meanwhile (two
 * starts at once); an empty one is replaced.
 */
async function writeSecret(path: string, value: string, existedEmpty: boolean): Promise<void> {
  await writeFile(path, `${value}\n`, { mode: 0o600, flag: existedEmpty ? 'w' : 'wx' });
}

/** Whether `dir` exists and holds anything. */
async function hasEntries(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Reads `secret-key` and `admin-token` from the data folder, making them on a first start: a
 * random 32-byte key, and a bootstrap admin token (`@interco/auth`) whose hash intake and the
 * tracker get. Both files are mode 0600. When the folder already holds NATS or Mongo data, a
 * missing or empty one is never made anew (the stored data is sealed with the old key, and the
 * stored instances' admin came with the old token): that fails with a StackStartError.
 */
export async function ensureSecrets(layout: StackLayout): Promise<StackSecrets> {
  const created: Array<'secret-key' | 'admin-token'> = [];
  let secretKey = await readIfExists(layout.secretKey);
  let adminToken = await readIfExists(layout.adminToken);
  const missing = [
    ...(secretKey === undefined || secretKey === '' ? [layout.secretKey] : []),
    ...(adminToken === undefined || adminToken === '' ? [layout.adminToken] : []),
  ];
  if (missing.length > 0) {
    const withData = [];
    for (const dir of [layout.natsDir, layout.mongoDir]) if (await hasEntries(dir)) withData.push(dir);
    if (withData.length > 0) {
      const names = missing.map((path) => displayPath(path));
      throw new StackStartError(
        `${names.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing or empty, but ` +
          `${withData.map((dir) => displayPath(dir)).join(' and ')} hold${withData.length > 1 ? '' : 's'} data made with ` +
          `${missing.length > 1 ? 'them' : 'it'}: a new one would make that data unusable, so none is made. ` +
          `Restore ${names.join(' and ')} (from a backup), or start afresh with --reset (deletes ${displayPath(layout.dir)}).`,
      );
    }
  }
  if (secretKey === undefined || secretKey === '') {
    const existedEmpty = secretKey === '';
    secretKey = SecretBox.generateKeyText();
    await writeSecret(layout.secretKey, secretKey, existedEmpty);
    created.push('secret-key');
  }
  if (adminToken === undefined || adminToken === '') {
    const existedEmpty = adminToken === '';
    adminToken = mintBootstrapToken().token;
    await writeSecret(layout.adminToken, adminToken, existedEmpty);
    created.push('admin-token');
  }
  return { secretKey, adminToken, tokenHash: hashToken(adminToken), created };
}
