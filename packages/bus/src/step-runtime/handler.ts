/**
 * One message of a step's consumer, start to end (docs/pipeline.md, "One step runtime"):
 *
 * 1. parse the event (unreadable: logged, terminated); read the transfer record; decide;
 * 2. forward or compensation: take the lease of (transfer, step) (held by another: nak 2-5 s),
 *    keep the message and the lease alive with the heartbeat, do the work;
 * 3. publish the outcome, THEN ack (a publish that fails: nak, the next delivery publishes the
 *    same fact again, which the stream's duplicate window drops if the first got through). The
 *    ack of an outcome (done, failed, cancelled, cancel_failed) is a double ack (`ackAck`): one
 *    that is not confirmed is logged, never turned into a failure or more work;
 * 4. a failure goes through the failure policy: nak (maybe after `<step>.waiting`), or
 *    `<step>.failed` / `<step>.cancel_failed` (ERPNext's messages without the transfer's serials)
 *    then ack.
 *
 * A transfer record that cannot be read (invalid) fails the step at once (`failed`, or
 * `cancel_failed` for a compensation input; not retryable), instead of coming back for a day.
 */
import {
  decodeEvent,
  type EventOf,
  type IntercoEvent,
  isStepEventType,
  kindOf,
  STEPS,
  type Step,
  stepOf,
} from '@interco/contracts';
import type { ErpnextClient } from '@interco/erpnext';
import type { ServiceMetrics, StepOutcome } from '@interco/metrics';
import type { Logger } from '@interco/service';
import { natsUnavailable } from '../nats/nats-unavailable.js';
import type { StoreError } from '../stores/store-error.js';
import type { TransferRecord } from '../stores/transfer-record.schema.js';
import { EventTooLargeError } from '../stream/event-publisher.js';
import { type BackoffOptions, backoffDelay, leaseHeldDelay } from './backoff.js';
import type { ManifestReader } from './chunks.js';
import type { HeldClient, StepClients } from './clients.js';
import { runCompensation } from './compensate.js';
import { type Decision, decide, needsHistory } from './decide.js';
import type { StepDefinition } from './definition.js';
import { type ErrorInfo, errorInfo } from './error-info.js';
import { stepEvent, transferCancelled } from './events.js';
import { failureAction, isProblemStoreError } from './failure-policy.js';
import { runForward } from './forward.js';
import { heartbeatInterval, startHeartbeat } from './heartbeat.js';
import { inputRole } from './inputs.js';
import { errorFields } from './log-error.js';
import { SerialRedactor } from './redact-serials.js';
import { LeaseLostError } from './step-errors.js';
import type { RecordReader, RunProgress, StepRun } from './step-run.js';

/** The message as the handler uses it (a JetStream JsMsg fits). */
export interface InputMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly info: { readonly deliveryCount: number };
  ack(): void;
  /** Ack, and wait for JetStream to confirm it (rejects when it does not). */
  ackAck(): Promise<boolean>;
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
  /**
   * The transfer's events in stream order: po-a reads which steps cancelled documents; a
   * redelivered forward input whether the step failed already in this generation.
   */
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
  /** Where each message's outcome and duration is recorded (a ServiceMetrics fits). */
  metrics?: Pick<ServiceMetrics, 'stepHandled'>;
}

/**
 * Extra room a lease keeps beyond the instance's write timeout: the lease is renewed right before
 * each write, so a write that starts has the write timeout and this margin ahead of it before
 * anyone else may take the lease. The heartbeat renews at least twice within it.
 */
export const LEASE_MARGIN_MS = 10_000;

let handled = 0;

/**
 * Handles one message and answers what became of it; its outcome and how long it took, from
 * taking it to its outcome published and acked (or nak'ed), go to `rt.metrics`.
 */
export async function handleMessage(rt: StepRuntime, msg: InputMessage): Promise<StepOutcome> {
  const started = performance.now();
  // A handler that throws (a bug) leaves the message to come back after ack_wait.
  let outcome: StepOutcome = 'retry';
  try {
    outcome = await handle(rt, msg);
    return outcome;
  } finally {
    rt.metrics?.stepHandled(rt.definition.step, outcome, (performance.now() - started) / 1000);
  }
}

async function handle(rt: StepRuntime, msg: InputMessage): Promise<StepOutcome> {
  const { definition } = rt;
  const decoded = decodeEvent(msg.data);
  if (!decoded.ok) {
    rt.logger.warn(
      { step: definition.step, subject: msg.subject, problems: decoded.problems.slice(0, 5) },
      'unreadable event: terminated',
    );
    msg.term('unreadable event');
    return 'rejected';
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
    if (isProblemStoreError(error)) {
      return failUnreadableRecord(rt, msg, event, logger, error);
    }
    return retryOrDrop(rt, msg, event, logger, error, 'reading the transfer record failed');
  }
  let decision = decide({ step: definition.step, event, record: current?.record, deliveryCount: attempt });
  if (needsHistory(decision, attempt)) {
    let history: Array<{ event: IntercoEvent }>;
    try {
      history = await rt.history(event.transferid);
    } catch (error) {
      return retryOrDrop(rt, msg, event, logger, error, 'reading the transfer history failed');
    }
    decision = decide({
      step: definition.step,
      event,
      record: current?.record,
      deliveryCount: attempt,
      history: history.map((entry) => entry.event),
    });
  }
  switch (decision.action) {
    case 'reject':
      logger.error({ reason: decision.reason }, 'event terminated');
      msg.term(decision.reason);
      return 'rejected';
    case 'skip':
      logger.info({ reason: decision.reason }, 'skipped');
      msg.ack();
      return 'skipped';
    case 'defer': {
      const delay = leaseHeldDelay(rt.random);
      const deferred = retryOrDrop(rt, msg, event, logger, undefined, decision.reason, delay);
      return deferred === 'retry' ? 'deferred' : deferred;
    }
  }
  if (current === undefined) return 'rejected'; // decide() rejects a missing record
  return work(rt, msg, event, current.record, decision, logger);
}

async function work(
  rt: StepRuntime,
  msg: InputMessage,
  event: IntercoEvent,
  record: TransferRecord,
  decision: Exclude<Decision, { action: 'skip' | 'defer' | 'reject' }>,
  logger: Logger,
): Promise<StepOutcome> {
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
    intervalMs: heartbeatInterval(rt.ackWaitMs, LEASE_MARGIN_MS),
    working: () => {
      if (!rt.killed()) msg.working();
    },
    logger,
  });
  const progress: RunProgress = {};
  let lease: StepLease | undefined;
  const leaseKey = `${record.transfer_id}.${definition.step}`;
  /** Right before each write: the lease renewed (and confirmed), or LeaseLostError. */
  const beforeWrite = async (): Promise<void> => {
    if (rt.killed() || heartbeat.lost || !(await heartbeat.renewNow())) throw new LeaseLostError(leaseKey);
  };
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
      return 'deferred';
    }
    heartbeat.attach(lease);
    const run: StepRun = {
      definition,
      event,
      record,
      transfers: rt.transfers,
      manifests: rt.manifests,
      heartbeat: {
        get lost() {
          return heartbeat.lost || rt.killed();
        },
      },
      beforeWrite,
      leaseKey,
      logger,
      progress,
    };

    if (compensating) {
      logger.info({}, `cancelling the ${definition.doctype} documents`);
      const outcome = await runCompensation({ ...run, client: own.client });
      if (outcome.kind === 'stopped') {
        logger.info({ reason: outcome.reason }, 'compensation stopped');
        return ackStopped(rt, msg);
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
      await ackOutcome(rt, msg, logger, `${definition.step}.cancelled`);
      return 'cancelled';
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
    const outcome = await runForward({ ...run, firstDelivery: decision.firstDelivery, clients, now: rt.now });
    if (outcome.kind === 'stopped') {
      logger.info({ reason: outcome.reason }, 'forward work stopped');
      return ackStopped(rt, msg);
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
    await ackOutcome(rt, msg, logger, `${definition.step}.done`);
    return 'done';
  } catch (error) {
    return await onFailure(rt, msg, event, instance, compensating, error, progress, held, logger);
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
  progress: RunProgress,
  held: ReadonlyMap<'a' | 'b', HeldClient>,
  logger: Logger,
): Promise<StepOutcome> {
  // Killed mid-work: nothing is acked or nak'ed, the message comes back after ack_wait.
  if (rt.killed()) return 'abandoned';
  const { definition } = rt;
  const attempt = msg.info.deliveryCount;
  const halfOpenAt = held.get(definition.instance)?.client.health().breaker.halfOpenAt;
  const manifest = progress.manifest;
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
    ...(manifest === undefined
      ? {}
      : {
          redact: (messages: readonly string[], maxLength: number) =>
            SerialRedactor.of(manifest).redactAll(messages, maxLength),
        }),
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
        logger.warn({ ...errorFields(publishError) }, `publishing ${definition.step}.waiting failed`);
      });
    }
    if (!rt.killed()) msg.nak(action.delayMs);
    return action.waiting !== undefined && !compensating ? 'waiting' : 'retry';
  }

  const level = action.bug === true ? 'error' : 'warn';
  logger[level](
    { ...fields, retryable: action.retryable, budget_spent: action.budgetSpent === true },
    `${definition.step}.${compensating ? 'cancel_failed' : 'failed'}: a person must look at it`,
  );
  return publishFailure(rt, msg, event, instance, compensating, action.error, action.retryable, logger);
}

/**
 * Publishes `<step>.failed` (or `<step>.cancel_failed`), then acks (confirmed). An error too large
 * for one event is published again cut down. A publish that fails: nak with backoff.
 */
async function publishFailure(
  rt: StepRuntime,
  msg: InputMessage,
  event: IntercoEvent,
  instance: string,
  compensating: boolean,
  error: ErrorInfo,
  retryable: boolean,
  logger: Logger,
): Promise<StepOutcome> {
  const { definition } = rt;
  const attempt = msg.info.deliveryCount;
  const outcome = (info: ErrorInfo) =>
    compensating
      ? stepEvent(
          definition.step,
          'cancel_failed',
          event,
          definition.service,
          { instance, error: info, attempt },
          rt.now(),
        )
      : stepEvent(
          definition.step,
          'failed',
          event,
          definition.service,
          { instance, error: info, attempt, retryable },
          rt.now(),
        );
  const type = `${definition.step}.${compensating ? 'cancel_failed' : 'failed'}`;
  try {
    try {
      await publish(rt, outcome(error), logger);
    } catch (publishError) {
      if (!(publishError instanceof EventTooLargeError)) throw publishError;
      logger.warn({ ...errorFields(publishError) }, `${type} is too large for one event: published cut down`);
      await publish(rt, outcome(cutDown(error)), logger);
    }
  } catch (publishError) {
    const delay = backoffDelay(attempt, rt.backoff, rt.random);
    const level = natsUnavailable(publishError) ? 'warn' : 'error';
    logger[level](
      { ...errorFields(publishError), delay_ms: delay },
      `publishing ${type} failed: retrying later`,
    );
    if (!rt.killed()) msg.nak(delay);
    return 'retry';
  }
  await ackOutcome(rt, msg, logger, type);
  return compensating ? 'cancel_failed' : 'failed';
}

/** An ErrorInfo small enough for any event: its first messages, shortened, and a count of the rest. */
function cutDown(info: ErrorInfo): ErrorInfo {
  const kept = info.messages.slice(0, 5).map((m) => (m.length > 1_000 ? `${m.slice(0, 999)}…` : m));
  const left = info.messages.length - kept.length;
  return {
    ...info,
    messages:
      left > 0
        ? [...kept, `${left} more message${left === 1 ? '' : 's'} left out: they did not fit in one event`]
        : kept,
  };
}

/**
 * The input's transfer record cannot be read (invalid): no retry will read it, so the step fails
 * now (`failed`, or `cancel_failed` for a compensation input; not retryable) with a message naming
 * the record, never its content. The instance comes from `transfer.requested` (the input itself, or
 * the transfer's history). Inputs that are not for this step are handled as decide() would.
 */
async function failUnreadableRecord(
  rt: StepRuntime,
  msg: InputMessage,
  event: IntercoEvent,
  logger: Logger,
  error: StoreError,
): Promise<StepOutcome> {
  const { definition } = rt;
  const role = inputRole(definition.step, event.type);
  if (role === undefined) {
    logger.error({ reason: `${event.type} is not an input of ${definition.step}` }, 'event terminated');
    msg.term(`${event.type} is not an input of ${definition.step}`);
    return 'rejected';
  }
  if (event.type === 'transfer.retry_requested' && event.data.step !== definition.step) {
    logger.info({ reason: `the retry is for ${event.data.step}` }, 'skipped');
    msg.ack();
    return 'skipped';
  }
  let requested: EventOf<'transfer.requested'> | undefined =
    event.type === 'transfer.requested' ? event : undefined;
  if (requested === undefined) {
    try {
      requested = (await rt.history(event.transferid))
        .map((entry) => entry.event)
        .find((past): past is EventOf<'transfer.requested'> => past.type === 'transfer.requested');
    } catch (historyError) {
      return retryOrDrop(rt, msg, event, logger, historyError, 'reading the transfer history failed');
    }
  }
  if (requested === undefined) {
    logger.error(
      { ...errorFields(error) },
      'the transfer record cannot be read and the transfer has no transfer.requested: terminated',
    );
    msg.term('unreadable transfer record');
    return 'rejected';
  }
  const compensating = role === 'compensation';
  logger.error(
    { ...errorFields(error) },
    `the transfer record cannot be read: ${definition.step}.${compensating ? 'cancel_failed' : 'failed'}`,
  );
  return publishFailure(
    rt,
    msg,
    event,
    requested.data.instances[definition.instance],
    compensating,
    errorInfo(error),
    false,
    logger,
  );
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

/**
 * The work stopped because the transfer changed under it: acked (`stopped`), unless the worker
 * was killed meanwhile (`abandoned`: not acked, the message comes back after ack_wait).
 */
function ackStopped(rt: StepRuntime, msg: InputMessage): StepOutcome {
  if (rt.killed()) return 'abandoned';
  msg.ack();
  return 'stopped';
}

/**
 * The ack after an outcome was published, confirmed by JetStream (a double ack). One that is not
 * confirmed is only logged: the outcome is out, and redoing the work, or failing it, would tell a
 * second story. If the message does come again, decide() skips it after a `failed`, and a `done`
 * found again by its markers is the same fact (the duplicate window drops it).
 */
async function ackOutcome(
  rt: StepRuntime,
  msg: InputMessage,
  logger: Logger,
  outcome: string,
): Promise<void> {
  if (rt.killed()) return;
  try {
    await msg.ackAck();
  } catch (error) {
    logger.warn(
      { ...errorFields(error), outcome },
      `the ack after ${outcome} was not confirmed: the message may come again (its outcome is published)`,
    );
  }
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
): 'retry' | 'rejected' {
  const elapsed = rt.now().getTime() - Date.parse(event.time);
  const fields = error === undefined ? {} : errorFields(error);
  if (elapsed > rt.timeBudgetMs) {
    logger.error({ ...fields, reason }, 'gave up on the event after its time budget: terminated');
    msg.term(reason);
    return 'rejected';
  }
  const delay = delayMs ?? backoffDelay(msg.info.deliveryCount, rt.backoff, rt.random);
  logger.warn({ ...fields, reason, delay_ms: delay }, 'back later');
  msg.nak(delay);
  return 'retry';
}
