import {
  encodeEvent,
  type IntercoEvent,
  newEvent,
  newTransferId,
  type TransferRequest,
} from '@interco/contracts';
import {
  cancelOnce,
  chunkingFingerprint,
  ErpnextClient,
  ErpnextError,
  insertOnce,
  markedDocuments,
  resolveChunkingLimits,
} from '@interco/erpnext';
import { findSamples, parseExposition, ServiceMetrics } from '@interco/metrics';
import { createLogger } from '@interco/service';
import { TimeoutError } from '@nats-io/nats-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StoreError } from '../stores/store-error.js';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { EventTooLargeError } from '../stream/event-publisher.js';
import { sampleRecord, sampleRequest } from '../test-support/store-fixtures.js';
import type { HeldClient } from './clients.js';
import type { StepDefinition } from './definition.js';
import { handleMessage, type InputMessage, type StepLease, type StepRuntime } from './handler.js';
import { StepFailure } from './step-errors.js';

// ERPNext's writes are faked here: what the handler does around them is under test.
vi.mock('@interco/erpnext', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@interco/erpnext')>();
  return { ...actual, insertOnce: vi.fn(), cancelOnce: vi.fn(), markedDocuments: vi.fn() };
});

const clients: ErpnextClient[] = [];
/** What the faked ERPNext was asked, in order, with the lease's renewals in between. */
let trail: string[] = [];
beforeEach(() => {
  trail = [];
  let created = 0;
  vi.mocked(insertOnce).mockImplementation(async (_client, doctype, _doc, options) => {
    trail.push(`insert:${options.marker}`);
    created++;
    return {
      outcome: 'created',
      via: 'insert',
      doc: { name: `${doctype}-${created}`, docstatus: 1 },
    } as never;
  });
  vi.mocked(markedDocuments).mockImplementation(async (_client, doctype, marker) => {
    trail.push(`lookup:${marker}`);
    return [{ name: `${doctype}-for-${marker}`, docstatus: 1 }] as never;
  });
  vi.mocked(cancelOnce).mockImplementation(async (_client, _doctype, name) => {
    trail.push(`cancel:${name}`);
    return { outcome: 'cancelled', doc: { name, docstatus: 2 } } as never;
  });
});
afterEach(async () => {
  vi.mocked(insertOnce).mockReset();
  vi.mocked(markedDocuments).mockReset();
  vi.mocked(cancelOnce).mockReset();
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

class FakeMessage implements InputMessage {
  readonly calls: string[] = [];
  readonly info: { deliveryCount: number };
  ackAckFails = false;
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
  async ackAck() {
    this.calls.push('ackAck');
    if (this.ackAckFails) throw new TimeoutError();
    return true;
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
  /** What the lease's renewals answer (default true). */
  renew?: () => Promise<boolean>;
  definition?: Partial<StepDefinition>;
  publishFails?: boolean | ((event: IntercoEvent) => Error | undefined);
  killed?: boolean;
  history?: IntercoEvent[];
}

function runtime(setup: Setup = {}) {
  const published: IntercoEvent[] = [];
  const log: string[] = [];
  const leases: string[] = [];
  const historyReads: string[] = [];
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
          renew: async () => {
            leases.push('renew');
            trail.push('renew');
            return setup.renew === undefined ? true : setup.renew();
          },
          release: async () => void leases.push('release'),
        };
      },
    },
    publisher: {
      publish: async (event) => {
        if (setup.publishFails === true) throw new Error('NATS timeout');
        const refused = typeof setup.publishFails === 'function' ? setup.publishFails(event) : undefined;
        if (refused !== undefined) throw refused;
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
    history: async () => {
      historyReads.push('history');
      return (setup.history ?? []).map((event) => ({ event }));
    },
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
  return { rt, published, log, leases, historyReads };
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
    expect(msg.calls).toEqual(['ackAck']);
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
    expect(msg.calls).toEqual(['ackAck']);
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
    expect(msg.calls).toEqual(['ackAck']);
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
    expect(await handleMessage(rt, msg)).toBe('stopped');
    expect(published).toEqual([]);
    expect(msg.calls).toEqual(['ack']);
  });

  it('abandons, without an ack, work that stops once the worker was killed', async () => {
    const record = sampleRecord();
    let reads = 0;
    const setup: Setup = { record };
    const { rt, published } = runtime(setup);
    rt.transfers = {
      get: async () => {
        if (reads++ === 0) return { record };
        setup.killed = true;
        return { record: { ...record, status: 'cancelling', generation: 2 } };
      },
    };
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    expect(await handleMessage(rt, msg)).toBe('abandoned');
    expect(published).toEqual([]);
    expect(msg.calls).toEqual([]);
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
    // Neither acked nor nak'ed: `abandoned` (the message comes back after ack_wait), not `stopped`.
    expect(await handleMessage(rt, msg)).toBe('abandoned');
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

/** The messages of a published `failed` (or `cancel_failed`). */
function errorMessages(event: IntercoEvent | undefined): string[] {
  const data = event?.data as { error?: { messages?: string[] } } | undefined;
  return data?.error?.messages ?? [];
}

/** A transfer of `serials` serials cut one serial per document: `serials` chunks. */
function chunked(
  serials: number,
  serialPrefix = 'SN',
): { record: TransferRecord; manifest: TransferRequest } {
  const limits = resolveChunkingLimits({ maxSerialsPerDocument: 1 });
  const record: TransferRecord = {
    ...sampleRecord(),
    chunking: { limits: { ...limits }, fingerprint: chunkingFingerprint(limits) },
    counts: { items: 1, serials },
  };
  return { record, manifest: sampleRequest(serials, 1, serialPrefix) };
}

const builds: Partial<StepDefinition> = { build: async () => ({ supplier: 'Supplier A' }) };

function cancelRequest(record: TransferRecord, generation: number): IntercoEvent {
  return newEvent(
    'transfer.cancel_requested',
    { transferid: record.transfer_id, generation, actor: 'tok_test', source: 'interco/intake' },
    {},
  );
}

const prB: Partial<StepDefinition> = {
  step: 'pr_b',
  service: 'pr-b',
  instance: 'b',
  doctype: 'Purchase Receipt',
};

describe('handleMessage: the lease around each write', () => {
  it('renews the lease, and waits for the answer, right before each insert', async () => {
    const { record, manifest } = chunked(3);
    const { rt, published } = runtime({ record, manifest: async () => manifest, definition: builds });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(trail.filter((step) => step === 'renew' || step.startsWith('insert'))).toEqual([
      'renew',
      `insert:${record.transfer_id}:po_a:0`,
      'renew',
      `insert:${record.transfer_id}:po_a:1`,
      'renew',
      `insert:${record.transfer_id}:po_a:2`,
    ]);
    expect(published.map((event) => event.type)).toEqual(['po_a.done']);
    expect(msg.calls).toEqual(['ackAck']);
  });

  it('renews the lease right before each cancel', async () => {
    const { record, manifest } = chunked(2);
    const cancelling = { ...record, status: 'cancelling' as const, generation: 2 };
    const { rt, published } = runtime({
      record: cancelling,
      manifest: async () => manifest,
      definition: prB,
    });
    const msg = new FakeMessage(encodeEvent(cancelRequest(cancelling, 2)));
    await handleMessage(rt, msg);
    expect(trail.filter((step) => step === 'renew' || step.startsWith('cancel'))).toEqual([
      'renew',
      `cancel:Purchase Receipt-for-${record.transfer_id}:pr_b:0`,
      'renew',
      `cancel:Purchase Receipt-for-${record.transfer_id}:pr_b:1`,
    ]);
    expect(published.map((event) => event.type)).toEqual(['pr_b.cancelled']);
    expect(msg.calls).toEqual(['ackAck']);
  });

  it('writes nothing when the renewal before a write answers false: back in 2-5 s, not a failure', async () => {
    const { record, manifest } = chunked(2);
    let renewals = 0;
    const { rt, published, leases } = runtime({
      record,
      manifest: async () => manifest,
      definition: builds,
      renew: async () => ++renewals < 2,
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(trail.filter((step) => step.startsWith('insert'))).toEqual([
      `insert:${record.transfer_id}:po_a:0`,
    ]);
    expect(published).toEqual([]);
    expect(msg.calls).toEqual(['nak:3500']);
    expect(leases.at(-1)).toBe('release');
  });

  it('counts a renewal that fails (no answer) as not renewed: no write', async () => {
    const { record, manifest } = chunked(1);
    const { rt, published } = runtime({
      record,
      manifest: async () => manifest,
      definition: builds,
      renew: async () => {
        throw new TimeoutError();
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(trail.filter((step) => step.startsWith('insert'))).toEqual([]);
    expect(published).toEqual([]);
    expect(msg.calls).toEqual(['nak:3500']);
  });
});

describe('handleMessage: records and manifests no retry can read', () => {
  it('fails the step at once (not retryable) when the transfer record is invalid, and acks', async () => {
    const record = sampleRecord();
    const { rt, published, leases } = runtime({ record });
    rt.transfers = {
      get: async (id) => {
        throw new StoreError(
          'invalid',
          `the stored record of ${id} is not a valid transfer record: status: Expected union value`,
        );
      },
    };
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(published.map((event) => [event.type, event.generation])).toEqual([['po_a.failed', 1]]);
    expect(published[0]?.data).toMatchObject({
      instance: 'erp-a',
      attempt: 1,
      retryable: false,
      error: { kind: 'permanent' },
    });
    const messages = errorMessages(published[0]);
    expect(messages.join(' ')).toContain(`the stored record of ${record.transfer_id}`);
    expect(msg.calls).toEqual(['ackAck']);
    expect(leases).toEqual([]);
  });

  it('a compensation input on an invalid record: cancel_failed, the instance from transfer.requested', async () => {
    const record = { ...sampleRecord(), status: 'cancelling' as const, generation: 2 };
    const { rt, published, historyReads } = runtime({
      record,
      definition: prB,
      history: [record.requested_event],
    });
    rt.transfers = {
      get: async () => {
        throw new StoreError('invalid', 'the stored record is not JSON');
      },
    };
    const msg = new FakeMessage(encodeEvent(cancelRequest(record, 2)));
    await handleMessage(rt, msg);
    expect(historyReads).toEqual(['history']);
    expect(published.map((event) => event.type)).toEqual(['pr_b.cancel_failed']);
    expect(published[0]?.data).toMatchObject({ instance: 'erp-b', error: { kind: 'permanent' } });
    expect(msg.calls).toEqual(['ackAck']);
  });

  it('fails the step (not retryable) when the record turns invalid during the run', async () => {
    const { record, manifest } = chunked(2);
    let reads = 0;
    const { rt, published } = runtime({ record, manifest: async () => manifest, definition: builds });
    rt.transfers = {
      get: async (id) => {
        if (++reads <= 2) return { record };
        throw new StoreError('invalid', `the stored record of ${id} is not a valid transfer record`);
      },
    };
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['po_a.failed']);
    expect(published[0]?.data).toMatchObject({ retryable: false, error: { kind: 'permanent', chunk: 1 } });
    expect(msg.calls).toEqual(['ackAck']);
  });

  it('fails the step when the manifest was tampered with (forward) and acks', async () => {
    const record = sampleRecord();
    const { rt, published } = runtime({
      record,
      manifest: async () => {
        throw new StoreError('tampered', `the manifest ${record.manifest.ref} does not match its digest`);
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)), 4);
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['po_a.failed']);
    expect(published[0]?.data).toMatchObject({ retryable: false, error: { kind: 'permanent' } });
    expect(msg.calls).toEqual(['ackAck']);
  });
});

describe('handleMessage: no serial leaves in an event', () => {
  it('replaces the manifest’s serials in ERPNext’s messages by their request paths', async () => {
    const record = sampleRecord();
    const manifest = sampleRequest(3, 1, 'PIN-SECRET');
    vi.mocked(insertOnce).mockRejectedValue(
      new ErpnextError({
        kind: 'permanent',
        reason: 'validation',
        instanceId: 'erp-a',
        operation: 'insert Purchase Order',
        status: 417,
        messages: [
          'Serial No <strong>pin-secret-0-2</strong> is already present in the warehouse <strong>Stores - A</strong>.',
          'Serial Nos PIN-SECRET-0-0, PIN-SECRET-0-1 do not belong to Item ITEM-0',
        ],
      }),
    );
    const { rt, published, log } = runtime({ record, manifest: async () => manifest, definition: builds });
    await handleMessage(rt, new FakeMessage(encodeEvent(requestedFor(record))));
    expect(published.map((event) => event.type)).toEqual(['po_a.failed']);
    expect(errorMessages(published[0])).toEqual([
      'Serial No <strong>[serial items[0].serials[2]]</strong> is already present in the warehouse <strong>Stores - A</strong>.',
      'Serial Nos [serial items[0].serials[0]], [serial items[0].serials[1]] do not belong to Item ITEM-0',
    ]);
    expect(JSON.stringify(published).toLowerCase()).not.toContain('pin-secret');
    expect(log.join('').toLowerCase()).not.toContain('pin-secret');
  });
});

describe('handleMessage: outcomes are acked once, and not redone', () => {
  it('acks a terminal outcome with a confirmed ack; one not confirmed is only logged', async () => {
    const record = sampleRecord();
    const { rt, published, log } = runtime({
      record,
      definition: {
        build: async () => {
          throw new StepFailure(['nothing to build']);
        },
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    msg.ackAckFails = true;
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['po_a.failed']);
    expect(msg.calls).toEqual(['ackAck']); // no nak, nothing redone
    expect(log.join('')).toContain('was not confirmed');
  });

  it('a done whose ack is not confirmed is not turned into a failure', async () => {
    const record = sampleRecord();
    const { rt, published } = runtime({ record, definition: builds });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    msg.ackAckFails = true;
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['po_a.done']);
    expect(msg.calls).toEqual(['ackAck']);
  });

  it('skips a redelivered input whose step already failed in this generation (its ack was lost)', async () => {
    const record = sampleRecord();
    const failed = newEvent(
      'po_a.failed',
      { transferid: record.transfer_id, generation: 1, actor: 'tok_test', source: 'interco/po-a' },
      { instance: 'erp-a', attempt: 1, retryable: true, error: { kind: 'transient', messages: ['x'] } },
    );
    const { rt, published, leases, historyReads } = runtime({
      record,
      definition: builds,
      history: [record.requested_event, failed],
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)), 2);
    await handleMessage(rt, msg);
    expect(historyReads).toEqual(['history']);
    expect(published).toEqual([]);
    expect(leases).toEqual([]);
    expect(msg.calls).toEqual(['ack']);
  });

  it('skips a redelivered compensation whose step already published cancel_failed in this generation', async () => {
    const record = { ...sampleRecord(), status: 'cancelling' as const, generation: 2 };
    const cancelFailed = newEvent(
      'pr_b.cancel_failed',
      { transferid: record.transfer_id, generation: 2, actor: 'tok_test', source: 'interco/pr-b' },
      { instance: 'erp-b', attempt: 1, error: { kind: 'permanent', messages: ['x'] } },
    );
    const { rt, published, leases } = runtime({
      record,
      definition: prB,
      history: [record.requested_event, cancelRequest(record, 2), cancelFailed],
    });
    const msg = new FakeMessage(encodeEvent(cancelRequest(record, 2)), 2);
    await handleMessage(rt, msg);
    expect(published).toEqual([]);
    expect(leases).toEqual([]);
    expect(msg.calls).toEqual(['ack']);
  });

  it('reads no history on a first delivery', async () => {
    const record = sampleRecord();
    const { rt, published, historyReads } = runtime({ record, definition: builds });
    await handleMessage(rt, new FakeMessage(encodeEvent(requestedFor(record))));
    expect(historyReads).toEqual([]);
    expect(published.map((event) => event.type)).toEqual(['po_a.done']);
  });
});

describe('handleMessage: a cancel during the last write', () => {
  it('does not publish done when the transfer stopped being active during the last write', async () => {
    const { record, manifest } = chunked(2);
    const cancelled = { ...record, status: 'cancelling' as const, generation: 2 };
    let inserted = 0;
    vi.mocked(insertOnce).mockImplementation(async (_client, doctype) => {
      inserted++;
      return {
        outcome: 'created',
        via: 'insert',
        doc: { name: `${doctype}-${inserted}`, docstatus: 1 },
      } as never;
    });
    const { rt, published, log } = runtime({ record, manifest: async () => manifest, definition: builds });
    rt.transfers = { get: async () => ({ record: inserted < 2 ? record : cancelled }) };
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    expect(await handleMessage(rt, msg)).toBe('stopped');
    expect(inserted).toBe(2);
    expect(published).toEqual([]);
    expect(msg.calls).toEqual(['ack']);
    expect(log.join('')).toContain('po_a.done is not published');
  });
});

describe('handleMessage: failures that are not bugs', () => {
  it('fails (not retryable) when the outcome is too large for one event', async () => {
    const record = sampleRecord();
    const { rt, published } = runtime({
      record,
      definition: builds,
      publishFails: (event) =>
        event.type === 'po_a.done' ? new EventTooLargeError(70_000, event) : undefined,
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['po_a.failed']);
    expect(published[0]?.data).toMatchObject({ retryable: false, error: { kind: 'permanent' } });
    expect(msg.calls).toEqual(['ackAck']);
  });

  it('publishes a failure too large for one event cut down', async () => {
    const record = sampleRecord();
    const { rt, published } = runtime({
      record,
      definition: {
        build: async () => {
          throw new StepFailure(Array.from({ length: 40 }, (_, i) => `problem ${i} ${'x'.repeat(3_000)}`));
        },
      },
      publishFails: (event) =>
        event.type === 'po_a.failed' && JSON.stringify(event).length > 65_536
          ? new EventTooLargeError(JSON.stringify(event).length, event)
          : undefined,
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)));
    await handleMessage(rt, msg);
    expect(published.map((event) => event.type)).toEqual(['po_a.failed']);
    const messages = errorMessages(published[0]);
    expect(messages).toHaveLength(6);
    expect(messages.at(-1)).toBe('35 more messages left out: they did not fit in one event');
    expect(msg.calls).toEqual(['ackAck']);
  });

  it('logs NATS being unavailable as a transient failure: a warning, no stack', async () => {
    const record = sampleRecord();
    const { rt, published, log } = runtime({
      record,
      manifest: async () => {
        throw new TimeoutError();
      },
    });
    const msg = new FakeMessage(encodeEvent(requestedFor(record)), 3);
    await handleMessage(rt, msg);
    expect(published).toEqual([]);
    expect(msg.calls).toEqual(['nak:2500']);
    const lines = log.map((line) => JSON.parse(line) as { level: string; msg: string; err?: unknown });
    const failure = lines.find((line) => line.msg.includes('retrying later'));
    expect(failure).toMatchObject({ level: 'warn', msg: 'transient failure: retrying later' });
    expect(log.join('')).not.toContain('"stack"');
    expect(lines.some((line) => line.level === 'error')).toBe(false);
  });
});

describe('handleMessage: each message in the metrics', () => {
  const counted = async (metrics: ServiceMetrics) =>
    Object.fromEntries(
      findSamples(parseExposition((await metrics.render()).body), 'interco_step_duration_seconds_count').map(
        (sample) => [`${sample.labels.step}:${sample.labels.outcome}`, sample.value],
      ),
    );

  it('answers and records the outcome of each message, with its duration', async () => {
    const metrics = new ServiceMetrics({ service: 'po-a', defaultMetrics: false });
    const run = async (setup: Setup, event: IntercoEvent | Uint8Array, deliveryCount = 1) => {
      const { rt } = runtime(setup);
      rt.metrics = metrics;
      const data = event instanceof Uint8Array ? event : encodeEvent(event);
      return handleMessage(rt, new FakeMessage(data, deliveryCount));
    };
    const record = sampleRecord();
    const failing = { build: async () => Promise.reject(new StepFailure(['nothing to build'])) };

    expect(await run({}, new TextEncoder().encode('{"type":"nope"}'))).toBe('rejected');
    expect(await run({ record: { ...record, status: 'cancelling' } }, requestedFor(record))).toBe('skipped');
    expect(await run({ record, leaseFree: false }, requestedFor(record))).toBe('deferred');
    expect(await run({ record, definition: failing }, requestedFor(record))).toBe('failed');
    expect(await run({ record, definition: failing, publishFails: true }, requestedFor(record))).toBe(
      'retry',
    );
    const { record: chunkedRecord, manifest } = chunked(2);
    expect(
      await run(
        { record: chunkedRecord, manifest: async () => manifest, definition: builds },
        chunkedRecord.requested_event,
      ),
    ).toBe('done');

    expect(await counted(metrics)).toEqual({
      'po_a:rejected': 1,
      'po_a:skipped': 1,
      'po_a:deferred': 1,
      'po_a:failed': 1,
      'po_a:retry': 1,
      'po_a:done': 1,
    });
    const body = (await metrics.render()).body;
    expect(body).toContain('interco_step_messages_total{step="po_a",outcome="done"} 1');
    // Never a transfer id in a label.
    expect(body).not.toContain(record.transfer_id);
    expect(body).not.toContain(chunkedRecord.transfer_id);
  });

  it('records a compensation as cancelled', async () => {
    const metrics = new ServiceMetrics({ service: 'pr-b', defaultMetrics: false });
    const { record, manifest } = chunked(1);
    const cancelling = { ...record, status: 'cancelling' as const, generation: 2 };
    const { rt } = runtime({ record: cancelling, manifest: async () => manifest, definition: prB });
    rt.metrics = metrics;
    expect(await handleMessage(rt, new FakeMessage(encodeEvent(cancelRequest(cancelling, 2))))).toBe(
      'cancelled',
    );
    expect(await counted(metrics)).toEqual({ 'pr_b:cancelled': 1 });
  });
});
