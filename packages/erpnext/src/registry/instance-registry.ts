import { type Problem, pointerToPath, registerFormats } from '@interco/contracts';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { InstanceConfig, timeoutProblems } from '../instances/instance-config.schema.js';
import { normalizeBaseUrl } from './base-url.js';
import { keysOf, keyUsageOf, type ResealCounts, resealRecords } from './kv-records.js';
import type { KeyUsage, SecretBox } from './secret-box.js';
import { type InstanceSummary, StoredInstance } from './stored-instance.schema.js';

registerFormats();

export const DEFAULT_REGISTRY_BUCKET = 'interco_instances';

const configCheck = TypeCompiler.Compile(InstanceConfig);
const storedCheck = TypeCompiler.Compile(StoredInstance);

/** What can be changed on a registered instance (a credential only by giving a new one). */
export type InstanceChanges = Partial<Omit<InstanceConfig, 'id'>>;

/** A registry operation that cannot be done: unknown id, an id taken, invalid input. */
export class RegistryError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid',
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Tries of one record's compare-and-set before `reseal` gives up. */
const RESEAL_ATTEMPTS = 5;

/** The outcome of testing an instance's connection. */
export type InstanceTest = { ok: true; user: string } | { ok: false; error: string };

/**
 * The ERPNext instances Interco knows, in a JetStream KV bucket (one key per instance id).
 * Credentials are sealed with AES-256-GCM (SecretBox) before they are stored; `list` and
 * `describe` answer summaries without them; only `config` opens them, for building a client.
 * The bucket keeps no history (`history: 1`) and `remove` purges the key, so credentials that
 * were replaced or removed do not stay in KV, sealed or not. (A bucket created earlier with more
 * history keeps its setting: change it with `nats kv edit --history 1` or recreate it.)
 */
export class InstanceRegistry {
  private constructor(
    readonly kv: KV,
    private readonly box: SecretBox,
    private readonly now: () => Date,
  ) {}

  static async open(
    nc: NatsConnection,
    box: SecretBox,
    options: { bucket?: string; now?: () => Date } = {},
  ): Promise<InstanceRegistry> {
    const kv = await new Kvm(nc).create(options.bucket ?? DEFAULT_REGISTRY_BUCKET, {
      history: 1,
      storage: 'file',
    });
    return new InstanceRegistry(kv, box, options.now ?? (() => new Date()));
  }

  async add(input: InstanceConfig): Promise<InstanceSummary> {
    const config = validated(input);
    const now = this.now().toISOString();
    const stored = this.#seal(config, now, now);
    try {
      await this.kv.create(config.id, JSON.stringify(stored));
    } catch (error) {
      if ((await this.kv.get(config.id))?.operation === 'PUT') {
        throw new RegistryError('conflict', `instance ${config.id} already exists`);
      }
      throw error;
    }
    return summarize(stored);
  }

  /** Changes an instance; fails if someone else changed it at the same moment (try again). */
  async update(id: string, changes: InstanceChanges): Promise<InstanceSummary> {
    const entry = await this.kv.get(id);
    if (entry === null || entry.operation !== 'PUT')
      throw new RegistryError('not_found', `no instance ${id}`);
    const current = this.#open(parseStored(entry.string(), id));
    refuseNewAddressWithOldCredentials(current.base_url, changes);
    const config = validated({ ...current, ...withoutUndefined(changes), id });
    const stored = this.#seal(config, parseStored(entry.string(), id).created_at, this.now().toISOString());
    try {
      await this.kv.update(id, JSON.stringify(stored), entry.revision);
    } catch {
      throw new RegistryError(
        'conflict',
        `instance ${id} was changed at the same time: read it again and retry`,
      );
    }
    return summarize(stored);
  }

  /** Removes an instance and purges its key: no earlier revision (no sealed credential) is kept. */
  async remove(id: string): Promise<void> {
    const entry = await this.kv.get(id);
    if (entry === null || entry.operation !== 'PUT')
      throw new RegistryError('not_found', `no instance ${id}`);
    await this.kv.purge(id);
  }

  async list(): Promise<InstanceSummary[]> {
    const out: InstanceSummary[] = [];
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      if (entry?.operation === 'PUT') out.push(summarize(parseStored(entry.string(), key)));
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  async describe(id: string): Promise<InstanceSummary> {
    return summarize(await this.#stored(id));
  }

  /** The full configuration, credentials opened: only for building a client. */
  async config(id: string): Promise<InstanceConfig> {
    return this.#open(await this.#stored(id));
  }

  /**
   * Tests an instance's connection with `probe` (e.g. an ERPNext client's ping). The error text
   * is the probe's, which must not carry credentials.
   */
  async test(id: string, probe: (config: InstanceConfig) => Promise<string>): Promise<InstanceTest> {
    const config = await this.config(id);
    try {
      return { ok: true, user: await probe(config) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Seals again, with the current key (INTERCO_SECRET_KEY), the credentials of every instance
   * sealed with a previous key or in the older format; the others are left as they are, so running
   * it again changes nothing. Each record is rewritten with compare-and-set (a concurrent change
   * wins and the record is read again). A record that cannot be read (not JSON, not a valid
   * record, credentials no key of the ring opens) is counted `unreadable`, reported to
   * `onUnreadable` (its id and why, never its content) and left as it is; the others are still
   * re-sealed. Counts only; RegistryError `conflict` when a record keeps changing.
   */
  async reseal(options: { onUnreadable?: (id: string, reason: string) => void } = {}): Promise<ResealCounts> {
    return resealRecords<StoredInstance>(this.kv, {
      resealed: (entry) => {
        const id = entry.key;
        // The messages name the record and the key's fingerprint, never a value.
        const stored = parseStored(entry.string(), id);
        const apiKey = this.box.reseal(stored.api_key_sealed, `${id}:api_key`);
        const apiSecret = this.box.reseal(stored.api_secret_sealed, `${id}:api_secret`);
        return apiKey === undefined && apiSecret === undefined
          ? undefined
          : {
              ...stored,
              api_key_sealed: apiKey ?? stored.api_key_sealed,
              api_secret_sealed: apiSecret ?? stored.api_secret_sealed,
            };
      },
      attempts: RESEAL_ATTEMPTS,
      conflict: (id) =>
        new RegistryError(
          'conflict',
          `instance ${id} kept changing while its credentials were re-sealed: run it again`,
        ),
      onUnreadable: options.onUnreadable,
    });
  }

  /**
   * How many instances need which key of the ring to open their credentials (counts only); a
   * record that cannot be parsed counts as `unreadable`.
   */
  async keyUsage(): Promise<KeyUsage> {
    return keyUsageOf(this.kv, (entry) => {
      const id = entry.key;
      const stored = parseStored(entry.string(), id);
      const keys = [
        this.box.keyOfOrUndefined(stored.api_key_sealed, `${id}:api_key`),
        this.box.keyOfOrUndefined(stored.api_secret_sealed, `${id}:api_secret`),
      ];
      return keys.includes(undefined) ? undefined : keys.includes('previous') ? 'previous' : 'current';
    });
  }

  /**
   * How many instance records have credentials sealed in the format of key rings (v2): evidence
   * that this version of Interco already ran on the deployment (records that cannot be read are
   * not counted).
   */
  async sealedInV2(): Promise<number> {
    let count = 0;
    for (const id of await keysOf(this.kv)) {
      const entry = await this.kv.get(id);
      if (entry === null || entry.operation !== 'PUT') continue;
      try {
        const stored = parseStored(entry.string(), id);
        const v2 = (sealed: string) => this.box.headOf(sealed).format === 'v2';
        if (v2(stored.api_key_sealed) || v2(stored.api_secret_sealed)) count++;
      } catch {
        // not readable: no evidence either way
      }
    }
    return count;
  }

  /** Opens a stored record (also used by the cache). */
  openStored(stored: StoredInstance): InstanceConfig {
    return this.#open(stored);
  }

  async #stored(id: string): Promise<StoredInstance> {
    const entry = await this.kv.get(id);
    if (entry === null || entry.operation !== 'PUT')
      throw new RegistryError('not_found', `no instance ${id}`);
    return parseStored(entry.string(), id);
  }

  #seal(config: InstanceConfig, createdAt: string, updatedAt: string): StoredInstance {
    const { api_key, api_secret, ...rest } = config;
    return {
      ...rest,
      api_key_sealed: this.box.seal(api_key, `${config.id}:api_key`),
      api_secret_sealed: this.box.seal(api_secret, `${config.id}:api_secret`),
      api_key_hint: apiKeyHint(api_key),
      created_at: createdAt,
      updated_at: updatedAt,
    };
  }

  #open(stored: StoredInstance): InstanceConfig {
    const {
      api_key_sealed,
      api_secret_sealed,
      api_key_hint: _hint,
      created_at: _c,
      updated_at: _u,
      ...rest
    } = stored;
    return {
      ...rest,
      api_key: this.box.open(api_key_sealed, `${stored.id}:api_key`),
      api_secret: this.box.open(api_secret_sealed, `${stored.id}:api_secret`),
    };
  }
}

/** Checks an instance configuration; every problem with its path, never a credential's value. */
/**
 * The stored credentials are never sent to a new address: a change of `base_url` (other than
 * writing the same URL differently) must give `api_key` and `api_secret` again, or it is refused
 * naming both. Otherwise whoever can edit an instance could point it at a server of their own
 * and receive the credentials with the next request.
 */
function refuseNewAddressWithOldCredentials(currentBaseUrl: string, changes: InstanceChanges): void {
  if (changes.base_url === undefined) return;
  let next: string;
  try {
    next = normalizeBaseUrl(changes.base_url);
  } catch {
    return; // `validated` names what is wrong with it
  }
  if (next === normalizeBaseUrl(currentBaseUrl)) return;
  const message =
    'changing base_url needs api_key and api_secret again: stored credentials are never sent to a new address';
  const problems: Problem[] = (['api_key', 'api_secret'] as const)
    .filter((field) => changes[field] === undefined)
    .map((path) => ({ path, message }));
  if (problems.length > 0) throw new RegistryError('invalid', `invalid change: ${message}`, problems);
}

export function validated(input: unknown): InstanceConfig {
  const problems: Problem[] = [];
  if (!configCheck.Check(input)) {
    const seen = new Set<string>();
    for (const error of configCheck.Errors(input)) {
      const path = pointerToPath(error.path);
      if (seen.has(path)) continue;
      seen.add(path);
      problems.push({ path, message: error.message });
    }
  }
  problems.push(...timeoutProblems(input));
  const config = input as InstanceConfig;
  let baseUrl = '';
  if (typeof config?.base_url === 'string') {
    try {
      baseUrl = normalizeBaseUrl(config.base_url);
    } catch (error) {
      problems.push({ path: 'base_url', message: (error as Error).message });
    }
  }
  if (problems.length > 0) {
    throw new RegistryError(
      'invalid',
      `invalid instance: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return { ...config, base_url: baseUrl };
}

/** Keys shorter than this get no hint: four characters would give away too much of them. */
export const MIN_KEY_LENGTH_FOR_HINT = 12;

/** The key's last four characters, so people can tell credentials apart; empty for short keys. */
export function apiKeyHint(apiKey: string): string {
  return apiKey.length >= MIN_KEY_LENGTH_FOR_HINT ? apiKey.slice(-4) : '';
}

export function summarize(stored: StoredInstance): InstanceSummary {
  const { api_key_sealed: _k, api_secret_sealed: _s, ...summary } = stored;
  return summary;
}

export function parseStored(text: string, id: string): StoredInstance {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`instance record ${id} in the registry is not JSON`);
  }
  if (!storedCheck.Check(value))
    throw new Error(`instance record ${id} in the registry is not a valid record`);
  return value;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
