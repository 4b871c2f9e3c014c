import {
  encodeEvent,
  type IntercoEvent,
  newEvent,
  newTransferId,
  type TransferRequest,
} from '@interco/contracts';
import { ErpnextClient } from '@interco/erpnext';
import { createLogger } from '@interco/service';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../stores/store-error.js';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { sampleRecord, sampleRequest } from '../test-support/store-fixtures.js';
import type { HeldClient } from './clients.js';
import type { StepDefinition } from './definition.js';
import { handleMessage, type InputMessage, type StepLease, type StepRuntime } from './handler.js';
import { StepFailure } from './step-errors.js';

const clients: ErpnextClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

class FakeMessage implements InputMessage {
  readonly calls: string[] = [];
  readonly info: { deliveryCount: number };
  constructor(
    readonly data: Uint8Array,
    deliveryCount = 1,
    readonly subject = 't_x.t.tr_x.transfer.requested',
  ) {
    this.info = { deliveryCount };
  }
  ack() {
    this.calls.push('ack');
  }
  nak(millis?: number) {
    this.calls.push(`nak:${millis ?? 0}`);
  }
  term(reason?: string) {
    this.calls.push(`term:${reason ?? ''}`);
  }
  working() {}
}

interface Setup {
  record?: TransferRecord | undefined;
  manifest?: () => Promise<TransferRequest>;
  leaseFree?: boolean;
  definition?: Partial<StepDefinition>;
  publishFails?: boolean;
  killed?: boolean;
}

function runtime(setup: Setup = {}) {
  const published: IntercoEvent[] = [];
  const log: string[] = [];
  const leases: string[] = [];
  const definition: StepDefinition = {
    step: 'po_a',
    service: 'po-a',
    instance: 'a',
    doctype: 'Purchase Order',
    build: async () => {
      throw new Error('build not expected');
    },
    ...setup.definition,
  };
  const rt: StepRuntime = {
    definition,
    transfers: { get: async () => (setup.record === undefined ? undefined : { record: setup.record }) },
    manifests: { get: setup.manifest ?? (async () => sampleRequest(3)) },
    leases: {
      acquire: async (transferId, step): Promise<StepLease | undefined> => {
        leases.push(`acquire:${transferId}.${step}`);
        if (setup.leaseFree === false) return undefined;
        return {
          key: `${transferId}.${step}`,
          renew: async () => true,
          release: async () => void leases.push('release'),
        };
      },
    },
    publisher: {
      publish: async (event) => {
        if (setup.publishFails === true) throw new Error('NATS timeout');
        published.push(event);
        return { seq: published.length, duplicate: false };
      },
    },
    clients: {
      hold: (id: string): HeldClient => {
        const client = new ErpnextClient({
          id,
          name: id,
          base_url: 'http://127.0.0.1:9',
          api_key: 'key',
          api_secret: 'secret',
        });
        clients.push(client);
        return { client, writeTimeoutMs: 130_000, release: () => {} };
      },
    },
    history: async () => [],
    logger: createLogger('handler-test', {
      level: 'debug',
      destination: { write: (line: string) => void log.push(line) },
    }),
    ackWaitMs: 30_000,
    timeBudgetMs: 24 * 60 * 60 * 1000,
    backoff: { minMs: 1_000, maxMs: 60_000 },
    now: () => new Date(),
    random: () => 0.5,
    owner: 'test-owner',
    killed: () => setup.killed === true,
  };
  return { rt, published, log, leases };
}

function requestedFor(record: TransferRecord): IntercoEvent {
  return record.requested_event;
}

describe('handleMessage', () => {
  it('terminates an unreadable event', async () => {
    const { rt } = runtime();
    const msg = new FakeMessage(new TextEncoder().encode('{"type":"nope"}'));
    await handleMessage(rt, msg);
    expect(msg.calls).toEqual(['term:unreadable event']);
  });

  it('terminates an input whose transfer has no record, and logs it as an error', async () => {
    const { rt, log } = runtime({ record: undefined });
    const msg = new FakeMessage(encodeEvent(requestedFor(sampleRecord())));
    await handleMessage(rt, msg);
    expect(msg.calls).toEqual(['term:the transfer has no record']);
    expect(log.join('')).toContain('"level":"error"');
  });

  it('acks a skipped event (forward work on a cancelling transfer) without taking the lease', async () => {
    const record = { ...sampleRecord(), status: 'cancelling' as const };
    const { rt, leases } = runtime({ record });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(msg.calls).toEqual(['ack']);
    expect(leases).toEqual([]);
  });

  it('naks for 2-5 s when the record is behind the event', async () => {
    const record = sampleRecord();
    const { rt } = runtime({ record });
    const event = { ...requestedFor(record), generation: 2 };
    const msg = new FakeMessage(encodeEvent(event));
    await handleMessage(rt, msg);
    expect(msg.calls).toEqual(['nak:3500']);
  });

  it('naks for 2-5 s, not a failure, when another worker holds the lease', async () => {
    const record = sampleRecord();
    const { rt, published, leases } = runtime({ record, leaseFree: false });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(msg.calls).toEqual(['nak:3500']);
    expect(published).toEqual([]);
    expect(leases).toEqual([`acquire:${record.transfer_id}.po_a`]);
  });

  it('publishes failed then acks on a StepFailure, and releases the lease', async () => {
    const record = sampleRecord();
    const { rt, published, leases } = runtime({
      record,
      definition: {
        build: async (_ctx, chunk) => {
          throw new StepFailure(['nothing to build'], { retryable: true, chunk: chunk.index });
        },
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)), 2);
    await handleMessage(rt, msg);
    expect(published.map((event) => [event.type, event.generation, event.source, event.actor])).toEqual([
      ['po_a.failed', 1, 'interco/po-a', record.actor],
    ]);
    expect(published[0]?.data).toEqual({
      instance: 'erp-a',
      attempt: 2,
      retryable: true,
      error: { kind: 'permanent', messages: ['nothing to build'], chunk: 0 },
    });
    expect(msg.calls).toEqual(['ack']);
    expect(leases.at(-1)).toBe('release');
  });

  it('naks (never acks) when the outcome cannot be published', async () => {
    const record = sampleRecord();
    const { rt } = runtime({
      record,
      publishFails: true,
      definition: {
        build: async () => {
          throw new StepFailure(['nothing to build']);
        },
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)), 3);
    await handleMessage(rt, msg);
    expect(msg.calls).toEqual(['nak:2500']);
  });

  it('fails the step when the manifest is gone', async () => {
    const record = sampleRecord();
    const { rt, published } = runtime({
      record,
      manifest: async () => {
        throw new StoreError('missing', `no manifest ${record.manifest.ref}`);
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['po_a.failed']);
    expect(published[0]?.data).toMatchObject({ retryable: false, error: { kind: 'permanent' } });
    expect(msg.calls).toEqual(['ack']);
  });

  it('publishes cancel_failed (not failed) when the compensation cannot go on', async () => {
    const record = { ...sampleRecord(), status: 'cancelling' as const, generation: 2 };
    const { rt, published } = runtime({
      record,
      manifest: async () => {
        throw new StoreError('tampered', 'the manifest does not open');
      },
      definition: { step: 'pr_b', service: 'pr-b', instance: 'b', doctype: 'Purchase Receipt' },
    });
    const cancel = newEvent(
      'transfer.cancel_requested',
      { transferid: record.transfer_id, generation: 2, actor: 'tok_test', source: 'interco/intake' },
      {},
    );
    const msg = new FakeMessage(encodeEvent(cancel));
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['pr_b.cancel_failed']);
    expect(published[0]?.data).toMatchObject({ instance: 'erp-b', attempt: 1, error: { kind: 'permanent' } });
    expect(msg.calls).toEqual(['ack']);
  });

  it('stops before its first write when the transfer is no longer active, and acks', async () => {
    const record = sampleRecord();
    let reads = 0;
    const { rt, published } = runtime({ record });
    rt.transfers = {
      get: async () => ({
        record: reads++ === 0 ? record : { ...record, status: 'cancelling', generation: 2 },
      }),
    };
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(published).toEqual([]);
    expect(msg.calls).toEqual(['ack']);
  });

  it('does nothing more once the worker was stopped abruptly', async () => {
    const record = sampleRecord();
    const { rt, published, leases } = runtime({
      record,
      killed: true,
      definition: {
        build: async () => {
          throw new StepFailure(['x']);
        },
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(msg.calls).toEqual([]);
    expect(published).toEqual([]);
    expect(leases).not.toContain('release');
  });

  it('never logs a serial', async () => {
    const record = sampleRecord(newTransferId());
    const manifest = sampleRequest(3, 1, 'PIN-SECRET');
    const { rt, log } = runtime({
      record,
      manifest: async () => manifest,
      definition: {
        build: async () => {
          throw new Error('a bug');
        },
      },
    });
    await handleMessage(rt, new FakeMessage(encodeEvent(requestedFor(record))));
    expect(log.join('')).toContain('a bug');
    expect(log.join('')).not.toContain('PIN-SECRET');
  });
});
