import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultPlan, FaultTarget } from '../faults/faults.js';
import type { ApiUser, RequestContext } from '../frappe/context.js';
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
 * 3. authenticate, run the work in a transaction, wait the per-serial latency;
 * 4. commit (after the slow-commit delay) or roll back on any error;
 * 5. answer, or drop the connection after committing.
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
    if (!(await waitUntil(plan.latencyMs, deadline))) return void sendGatewayError(reply, 504);
    if (plan.error !== undefined) return void sendInjectedError(reply, plan);
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
  const txn = site.db.begin();
  let result: unknown;
  let ctx: RequestContext | undefined;
  let loggedIn = false;
  try {
    const user = authenticate(site, request.headers.authorization);
    loggedIn = user !== GUEST;
    ctx = site.context(user, txn);
    result = spec.work(ctx, user);
  } catch (error) {
    txn.rollback();
    sendFrappeError(reply, toFrappeError(error), loggedIn);
    return;
  }
  const busyMs = plan.perSerialMs * (ctx?.serialsTouched ?? 0) + plan.slowCommitMs;
  if (!(await waitUntil(busyMs, deadline))) {
    // gunicorn kills the worker: its transaction never commits.
    txn.rollback();
    sendGatewayError(reply, 504);
    return;
  }
  try {
    txn.commit();
  } catch (error) {
    txn.rollback();
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

/** Waits `ms`, but not past `deadline`; false when the deadline came first. */
async function waitUntil(ms: number, deadline: number): Promise<boolean> {
  if (ms <= 0) return Date.now() <= deadline;
  const left = deadline - Date.now();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, left))));
  return ms <= left;
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
