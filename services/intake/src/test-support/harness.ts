/**
 * intake started in-process for the integration tests: on the run's nats-server, in the test
 * file's own namespace, with a bootstrap admin token, called over real HTTP (fetch).
 */
import { mintBootstrapToken, type Scope } from '@interco/auth';
import { decodeEvent, type IntercoEvent } from '@interco/contracts';
import { SecretBox } from '@interco/erpnext';
import { natsUrl, testNamespace } from '@interco/testkit/vitest';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { type RunningIntake, type StartIntakeOptions, startIntake } from '../start-intake.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** The JSON body (undefined when there is none). */
  body: Record<string, unknown> & { error?: string; message?: string };
  text: string;
}

export interface CallOptions {
  /** A JSON value (sent as application/json), or a raw string / Buffer as it is. */
  body?: unknown;
  raw?: string | Buffer;
  /** A token sent as Bearer, or `null` for no Authorization header (default: the admin token). */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface TestIntake {
  readonly intake: RunningIntake;
  readonly url: string;
  /** The bootstrap admin token. */
  readonly admin: string;
  readonly box: SecretBox;
  /** A new token with these scopes. */
  mint(scopes: Scope[], name?: string): Promise<{ token: string; id: string }>;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** How many messages the stream holds. */
  streamCount(): Promise<number>;
  /** Every event on the stream, with its raw text. */
  events(): Promise<{ event: IntercoEvent; text: string }[]>;
  /** Registers an instance directly in the registry (a dummy URL unless given). */
  addInstance(id: string, baseUrl?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestIntake(options: Partial<StartIntakeOptions> = {}): Promise<TestIntake> {
  const namespace = testNamespace().subjectPrefix;
  const bootstrap = mintBootstrapToken();
  const box = options.box ?? SecretBox.fromKeyText(SecretBox.generateKeyText());
  const intake = await startIntake({
    natsUrl: natsUrl(),
    namespace,
    box,
    bootstrapHash: bootstrap.hash,
    ...options,
  });
  const jsm: JetStreamManager = await jetstreamManager(intake.nc);
  const stream = intake.names.stream;

  const call = async (method: string, path: string, callOptions: CallOptions = {}): Promise<Answer> => {
    const token = callOptions.token === undefined ? bootstrap.token : callOptions.token;
    const headers: Record<string, string> = {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    };
    let body: string | Buffer | undefined;
    if (callOptions.raw !== undefined) body = callOptions.raw;
    else if (callOptions.body !== undefined) {
      body = JSON.stringify(callOptions.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${intake.url}${path}`, {
      method,
      headers: { ...headers, ...callOptions.headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: Answer['body'] = {};
    if (text !== '') {
      try {
        parsed = JSON.parse(text) as Answer['body'];
      } catch {
        parsed = {};
      }
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };

  return {
    intake,
    url: intake.url,
    admin: bootstrap.token,
    box,
    mint: async (scopes, name = 'test') => {
      const minted = await intake.deps.tokens.mint({ name, scopes });
      return { token: minted.token, id: minted.record.id };
    },
    call,
    streamCount: async () => (await jsm.streams.info(stream)).state.messages,
    events: async () => {
      const info = await jsm.streams.info(stream);
      const out: { event: IntercoEvent; text: string }[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
        if (message === null) continue;
        const decoded = decodeEvent(message.data);
        if (!decoded.ok) throw new Error(`message ${seq} is not an event`);
        out.push({ event: decoded.value, text: new TextDecoder().decode(message.data) });
      }
      return out;
    },
    addInstance: async (id, baseUrl = 'http://127.0.0.1:9') => {
      await intake.deps.registry.add({
        id,
        name: id,
        base_url: baseUrl,
        api_key: 'key-for-tests',
        api_secret: 'secret-for-tests',
      });
    },
    close: () => intake.close(),
  };
}
