/**
 * One message of a step's consumer, start to end (docs/pipeline.md, "One step runtime"):
 *
 * 1. parse the event (unreadable: logged, terminated); read the transfer record; decide;
 * 2. forward or compensation: take the lease of (transfer, step) (held by another: nak 2-5 s),
 *    keep the message and the lease alive with the heartbeat, do the work;
 * 3. publish the outcome, THEN ack (a publish that fails: nak, the next delivery publishes the
 *    same fact again, which the stream's duplicate window drops if the first got through);
 * 4. a failure goes through the failure policy: nak (maybe after `<step>.waiting`), or
 *    `<step>.failed` / `<step>.cancel_failed` then ack.
 */
import {
  decodeEvent,
  type IntercoEvent,
  isStepEventType,
  kindOf,
  STEPS,
  type Step,
  stepOf,
} from '@interco/contracts';
import type { ErpnextClient } from '@interco/erpnext';
import type { Logger } from '@interco/service';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { type BackoffOptions, backoffDelay, leaseHeldDelay } from './backoff.js';
import type { ManifestReader } from './chunks.js';
import type { HeldClient, StepClients } from './clients.js';
import { runCompensation } from './compensate.js';
import { type Decision, decide } from './decide.js';
import type { StepDefinition } from './definition.js';
import { stepEvent, transferCancelled } from './events.js';
import { failureAction } from './failure-policy.js';
import { type RecordReader, runForward } from './forward.js';
import { startHeartbeat } from './heartbeat.js';
import { errorFields } from './log-error.js';

/** The message as the handler uses it (a JetStream JsMsg fits). */
export interface InputMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly info: { readonly deliveryCount: number };
  ack(): void;
  nak(millis?: number): void;
  term(reason?: string): void;
  working(): void;
}

export interface StepLease {
  readonly key: string;
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface LeaseTaker {
  acquire(transferId: string, step: Step, owner: string, ttlMs: number): Promise<StepLease | undefined>;
}

export interface EventSink {
  publish(event: IntercoEvent): Promise<{ seq: number; duplicate: boolean }>;
}

export interface StepRuntime {
  definition: StepDefinition;
  transfers: RecordReader;
  manifests: ManifestReader;
  leases: LeaseTaker;
  publisher: EventSink;
  clients: Pick<StepClients, 'hold'>;
  /** The transfer's events in stream order (po-a reads which steps cancelled documents). */
  history(transferId: string): Promise<Array<{ event: IntercoEvent }>>;
  logger: Logger;
  ackWaitMs: number;
  timeBudgetMs: number;
  backoff: BackoffOptions;
  now: () => Date;
  random: () => number;
  /** Names this process in lease values (a per-message suffix is added). */
  owner: string;
  /** True once the worker was stopped abruptly: nothing more is acked, published or released. */
  killed(): boolean;
}

/** Extra room a lease keeps beyond the instance's write timeout. */
export const LEASE_MARGIN_MS = 10_000;

let handled = 0;

export async function handleMessage(rt: StepRuntime, msg: InputMessage): Promise<void> {
  const { definition } = rt;
  const decoded = decodeEvent(msg.data);
  if (!decoded.ok) {
    rt.logger.warn(
      { step: definition.step, subject: msg.subject, problems: decoded.problems.slice(0, 5) },
      'unreadable event: terminated',
    );
    msg.term('unreadable event');
    return;
  }
  const event = decoded.value;
  const attempt = msg.info.deliveryCount;
  const logger = rt.logger.child({
    transfer_id: event.transferid,
    step: definition.step,
    generation: event.generation,
    attempt,
    input: event.type,
  });

  let current: { record: TransferRecord } | undefined;
  try {
    current = await rt.transfers.get(event.transferid);
  } catch (error) {
    retryOrDrop(rt, msg, event, logger, error, 'reading the transfer record failed');
    return;
  }
  const decision = decide({ step: definition.step, event, record: current?.record, deliveryCount: attempt });
  switch (decision.action) {
    case 'reject':
      logger.error({ reason: decision.reason }, 'event terminated');
      msg.term(decision.reason);
      return;
    case 'skip':
      logger.info({ reason: decision.reason }, 'skipped');
      msg.ack();
      return;
    case 'defer':
      retryOrDrop(rt, msg, event, logger, undefined, decision.reason, leaseHeldDelay(rt.random));
      return;
  }
  if (current === undefined) return; // decide() rejects a missing record
  await work(rt, msg, event, current.record, decision, logger);
}

async function work(
  rt: StepRuntime,
  msg: InputMessage,
  event: IntercoEvent,
  record: TransferRecord,
  decision: Exclude<Decision, { action: 'skip' | 'defer' | 'reject' }>,
  logger: Logger,
): Promise<void> {
  const { definition } = rt;
  const started = rt.now();
  const compensating = decision.action === 'compensate';
  const instance = record.instances[definition.instance];
  const attempt = msg.info.deliveryCount;
  const held = new Map<'a' | 'b', HeldClient>();
  const hold = (which: 'a' | 'b'): HeldClient => {
    let client = held.get(which);
    if (client === undefined) {
      client = rt.clients.hold(record.instances[which]);
      held.set(which, client);
    }
    return client;
  };
  const heartbeat = startHeartbeat({
    intervalMs: rt.ackWaitMs / 3,
    working: () => {
      if (!rt.killed()) msg.working();
    },
    logger,
  });
  const progress: { chunk?: number } = {};
  let lease: StepLease | undefined;
  const leaseKey = `${record.transfer_id}.${definition.step}`;
  try {
    const own = hold(definition.instance);
    lease = await rt.leases.acquire(
      record.transfer_id,
      definition.step,
      `${rt.owner}:${++handled}`,
      own.writeTimeoutMs + LEASE_MARGIN_MS,
    );
    if (lease === undefined) {
      const delay = leaseHeldDelay(rt.random);
      logger.info({ lease: leaseKey, delay_ms: delay }, 'the lease is held by another worker: back later');
      if (!rt.killed()) msg.nak(delay);
      return;
    }
    heartbeat.attach(lease);
    const alive = {
      get lost() {
        return heartbeat.lost || rt.killed();
      },
    };

    if (compensating) {
      logger.info({}, `cancelling the ${definition.doctype} documents`);
      const outcome = await runCompensation({
        definition,
        event,
        record,
        client: own.client,
        transfers: rt.transfers,
        manifests: rt.manifests,
        heartbeat: alive,
        leaseKey,
        logger,
        progress,
      });
      if (outcome.kind === 'stopped') {
        logger.info({ reason: outcome.reason }, 'compensation stopped');
        ack(rt, msg);
        return;
      }
      const now = rt.now();
      await publish(
        rt,
        stepEvent(
          definition.step,
          'cancelled',
          event,
          definition.service,
          { instance, documents: outcome.documents },
          now,
        ),
        logger,
      );
      if (definition.step === STEPS[0]) {
        const steps = await stepsCancelled(rt, event, outcome.documents.length > 0);
        await publish(rt, transferCancelled(event, definition.service, steps, rt.now()), logger);
      }
      logger.info({ documents: outcome.documents.length }, `${definition.step}.cancelled published`);
      ack(rt, msg);
      return;
    }

    const clients = {
      get a(): ErpnextClient {
        return hold('a').client;
      },
      get b(): ErpnextClient {
        return hold('b').client;
      },
    };
    logger.info(
      { first_delivery: decision.firstDelivery, role: decision.role },
      `making the ${definition.doctype} documents`,
    );
    const outcome = await runForward({
      definition,
      event,
      record,
      firstDelivery: decision.firstDelivery,
      clients,
      transfers: rt.transfers,
      manifests: rt.manifests,
      heartbeat: alive,
      leaseKey,
      logger,
      now: rt.now,
      progress,
    });
    if (outcome.kind === 'stopped') {
      logger.info({ reason: outcome.reason }, 'forward work stopped');
      ack(rt, msg);
      return;
    }
    const duration = Math.max(0, rt.now().getTime() - started.getTime());
    await publish(
      rt,
      stepEvent(
        definition.step,
        'done',
        event,
        definition.service,
        { instance, documents: outcome.documents, attempt, duration_ms: duration },
        rt.now(),
      ),
      logger,
    );
    logger.info(
      { documents: outcome.documents.length, duration_ms: duration },
      `${definition.step}.done published`,
    );
    ack(rt, msg);
  } catch (error) {
    await onFailure(rt, msg, event, instance, compensating, error, progress, held, logger);
  } finally {
    heartbeat.stop();
    for (const client of held.values()) client.release();
    if (lease !== undefined && !rt.killed()) {
      await lease.release().catch((error: unknown) => {
        logger.warn(
          { lease: leaseKey, err: error instanceof Error ? error.message : String(error) },
          'releasing the lease failed (it expires on its own)',
        );
      });
    }
  }
}

async function onFailure(
  rt: StepRuntime,
  msg: InputMessage,
  event: IntercoEvent,
  instance: string,
  compensating: boolean,
  error: unknown,
  progress: { chunk?: number },
  held: ReadonlyMap<'a' | 'b', HeldClient>,
  logger: Logger,
): Promise<void> {
  if (rt.killed()) return;
  const { definition } = rt;
  const attempt = msg.info.deliveryCount;
  const halfOpenAt = held.get(definition.instance)?.client.health().breaker.halfOpenAt;
  const action = failureAction({
    error,
    deliveryCount: attempt,
    inputTime: event.time,
    now: rt.now(),
    budgetMs: rt.timeBudgetMs,
    backoff: rt.backoff,
    random: rt.random,
    ...(halfOpenAt === undefined ? {} : { breakerHalfOpenAt: halfOpenAt }),
    ...(progress.chunk === undefined ? {} : { chunk: progress.chunk }),
  });
  const fields = {
    ...errorFields(error),
    ...(progress.chunk === undefined ? {} : { chunk: progress.chunk }),
  };

  if (action.action === 'nak') {
    if (action.leaseLost === true) {
      logger.warn({ ...fields, delay_ms: action.delayMs }, 'the lease was lost: back later');
    } else if (action.bug === true) {
      logger.error({ ...fields, delay_ms: action.delayMs }, 'unexpected error: retrying later');
    } else {
      logger.warn(
        { ...fields, delay_ms: action.delayMs, waiting: action.waiting?.reason },
        'transient failure: retrying later',
      );
    }
    if (action.waiting !== undefined && !compensating) {
      const waiting = stepEvent(
        definition.step,
        'waiting',
        event,
        definition.service,
        {
          instance,
          reason: action.waiting.reason,
          next_attempt_at: action.waiting.next_attempt_at,
          attempt,
          ...(action.waiting.detail === undefined ? {} : { detail: action.waiting.detail }),
        },
        rt.now(),
      );
      await rt.publisher.publish(waiting).catch((publishError: unknown) => {
        logger.warn({ err: publishError }, `publishing ${definition.step}.waiting failed`);
      });
    }
    if (!rt.killed()) msg.nak(action.delayMs);
    return;
  }

  const outcome = compensating
    ? stepEvent(
        definition.step,
        'cancel_failed',
        event,
        definition.service,
        { instance, error: action.error, attempt },
        rt.now(),
      )
    : stepEvent(
        definition.step,
        'failed',
        event,
        definition.service,
        { instance, error: action.error, attempt, retryable: action.retryable },
        rt.now(),
      );
  const level = action.bug === true ? 'error' : 'warn';
  logger[level](
    { ...fields, retryable: action.retryable, budget_spent: action.budgetSpent === true },
    `${outcome.type}: a person must look at it`,
  );
  try {
    await publish(rt, outcome, logger);
    ack(rt, msg);
  } catch (publishError) {
    const delay = backoffDelay(attempt, rt.backoff, rt.random);
    logger.error({ err: publishError, delay_ms: delay }, `publishing ${outcome.type} failed: retrying later`);
    if (!rt.killed()) msg.nak(delay);
  }
}

/**
 * The steps whose `<step>.cancelled` of this generation listed documents (po-a's own from
 * `ownCancelled`: its event was just published), in the chain's order.
 */
async function stepsCancelled(rt: StepRuntime, input: IntercoEvent, ownCancelled: boolean): Promise<Step[]> {
  const steps = new Set<Step>();
  if (ownCancelled) steps.add(rt.definition.step);
  for (const { event } of await rt.history(input.transferid)) {
    if (event.generation !== input.generation || !isStepEventType(event.type)) continue;
    if (kindOf(event.type) !== 'cancelled' || !('documents' in event.data)) continue;
    if (event.data.documents.length > 0) steps.add(stepOf(event.type));
  }
  return STEPS.filter((step) => steps.has(step));
}

async function publish(rt: StepRuntime, event: IntercoEvent, logger: Logger): Promise<void> {
  if (rt.killed()) throw new Error('the worker was stopped');
  const { duplicate, seq } = await rt.publisher.publish(event);
  logger.debug(
    { published: event.type, seq, duplicate },
    duplicate ? 'published (duplicate dropped)' : 'published',
  );
}

function ack(rt: StepRuntime, msg: InputMessage): void {
  if (!rt.killed()) msg.ack();
}

/**
 * A problem before any work (the record could not be read, the record is behind the event):
 * nak and come back, until the input's time budget is spent; then terminate, logged as an error.
 */
function retryOrDrop(
  rt: StepRuntime,
  msg: InputMessage,
  event: IntercoEvent,
  logger: Logger,
  error: unknown,
  reason: string,
  delayMs?: number,
): void {
  const elapsed = rt.now().getTime() - Date.parse(event.time);
  const fields = error === undefined ? {} : errorFields(error);
  if (elapsed > rt.timeBudgetMs) {
    logger.error({ ...fields, reason }, 'gave up on the event after its time budget: terminated');
    msg.term(reason);
    return;
  }
  const delay = delayMs ?? backoffDelay(msg.info.deliveryCount, rt.backoff, rt.random);
  logger.warn({ ...fields, reason, delay_ms: delay }, 'back later');
  msg.nak(delay);
}
