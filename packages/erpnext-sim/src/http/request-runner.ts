import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultPlan, FaultTarget } from '../faults/faults.js';
import type { ApiUser, RequestContext } from '../frappe/context.js';
import type { Transaction } from '../frappe/database.js';
import { FrappeError } from '../frappe/errors.js';
import type { Site } from '../sites/site.js';
import { authenticate, GUEST } from './authenticate.js';
import { sendFrappeError, sendGatewayError, toFrappeError } from './replies.js';

export interface RequestSpec {
  /** For the request counters, e.g. `GET /api/resource/:doctype`. */
  route: string;
  target: FaultTarget;
  /** The work, synchronous, inside one transaction; its result is the answer's body. */
  work: (ctx: RequestContext, user: ApiUser) => unknown;
  /** HTTP status of a success (DELETE answers 202). */
  successStatus?: number;
}

/**
 * Serves one API request the way a Frappe site behind gunicorn and nginx does:
 * 1. wait for one of the site's K workers (the queue is real);
 * 2. faults decide: added latency, an injected error, commit-then-drop, a slow commit;
 * 3. authenticate, run the work in a transaction; when another open transaction holds a row,
 *    unique value or series it wrote, wait for that one to end and run the work again (what a
 *    blocked statement amounts to), at most innodb_lock_wait_timeout (then QueryTimeoutError);
 * 4. wait the per-serial latency and the slow-commit delay, holding the locks;
 * 5. commit, or roll back on any error;
 * 6. answer, or drop the connection after committing.
 * A request that outlives the worker timeout is killed and rolled back: the client gets 504.
 */
export async function runRequest(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: RequestSpec,
): Promise<void> {
  site.counts[spec.route] = (site.counts[spec.route] ?? 0) + 1;
  await site.faults.pool.acquire();
  try {
    const deadline = Date.now() + site.faults.workerTimeoutMs;
    const plan = site.faults.plan(spec.target);
    if (!(await waitUntil(plan.latencyMs, deadline))) {
      plan.refund();
      return void sendGatewayError(reply, 504);
    }
    if (plan.error !== undefined) {
      plan.refund();
      return void sendInjectedError(reply, plan);
    }
    await serve(site, request, reply, spec, plan, deadline);
  } finally {
    site.faults.pool.release();
  }
}

async function serve(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: RequestSpec,
  plan: FaultPlan,
  deadline: number,
): Promise<void> {
  const lockDeadline = Math.min(deadline, Date.now() + site.faults.lockWaitTimeoutMs);
  let loggedIn = false;
  for (;;) {
    const txn = site.db.begin();
    let result: unknown;
    let serials = 0;
    try {
      const user = authenticate(site, request.headers.authorization);
      loggedIn = user !== GUEST;
      const ctx = site.context(user, txn);
      result = spec.work(ctx, user);
      serials = ctx.serialsTouched;
    } catch (error) {
      txn.rollback();
      plan.refund();
      sendFrappeError(reply, toFrappeError(error), loggedIn);
      return;
    }
    const holder = site.db.acquire(txn);
    if (holder !== undefined) {
      txn.rollback();
      if (await waitFor(holder.finished, lockDeadline)) continue;
      plan.refund();
      if (Date.now() >= deadline) sendGatewayError(reply, 504);
      else sendFrappeError(reply, new FrappeError('QueryTimeoutError', LOCK_WAIT_MESSAGE), loggedIn);
      return;
    }
    await finish(site, request, reply, spec, plan, deadline, { txn, result, serials, loggedIn });
    return;
  }
}

const LOCK_WAIT_MESSAGE = "(1205, 'Lock wait timeout exceeded; try restarting transaction')";

interface Outcome {
  txn: Transaction;
  result: unknown;
  serials: number;
  loggedIn: boolean;
}

async function finish(
  site: Site,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: RequestSpec,
  plan: FaultPlan,
  deadline: number,
  { txn, result, serials, loggedIn }: Outcome,
): Promise<void> {
  const busyMs = plan.perSerialMs * serials + plan.slowCommitMs;
  if (!(await waitUntil(busyMs, deadline))) {
    // gunicorn kills the worker: its transaction never commits.
    txn.rollback();
    plan.refund();
    sendGatewayError(reply, 504);
    return;
  }
  try {
    txn.commit();
  } catch (error) {
    txn.rollback();
    plan.refund();
    sendFrappeError(reply, toFrappeError(error), loggedIn);
    return;
  }
  if (txn.hasWrites) site.committed();
  if (plan.commitThenDrop && spec.target.httpMethod !== 'GET') {
    reply.hijack();
    request.raw.socket.destroy();
    return;
  }
  reply
    .code(spec.successStatus ?? 200)
    .type('application/json')
    .send(result);
}

/** Waits for `event`, but not past `deadline`; false when the deadline came first. */
async function waitFor(event: Promise<void>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  const outcome = await Promise.race([event.then(() => true as const), timeout]);
  clearTimeout(timer);
  return outcome;
}

/** Waits `ms`, but not past `deadline`; false when the deadline came first. */
async function waitUntil(ms: number, deadline: number): Promise<boolean> {
  if (ms <= 0) return Date.now() <= deadline;
  const left = deadline - Date.now();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, left))));
  return ms < left;
}

function sendInjectedError(reply: FastifyReply, plan: FaultPlan): void {
  const error = plan.error;
  if (error === undefined) return;
  if (error.status === 500) {
    const injected =
      error.kind === 'deadlock'
        ? new FrappeError(
            'QueryDeadlockError',
            "(1213, 'Deadlock found when trying to get lock; try restarting transaction')",
          )
        : error.kind === 'lock_timeout'
          ? new FrappeError(
              'QueryTimeoutError',
              "(1205, 'Lock wait timeout exceeded; try restarting transaction')",
            )
          : new FrappeError('Exception', 'simulated server error');
    sendFrappeError(reply, injected, true);
    return;
  }
  if (error.status === 429) {
    // frappe/rate_limiter.py: TooManyRequestsError with Retry-After
    reply.header('Retry-After', String(plan.retryAfterS ?? 1));
    sendFrappeError(reply, new FrappeError('TooManyRequestsError', ''), true);
    return;
  }
  sendGatewayError(reply, error.status);
}
