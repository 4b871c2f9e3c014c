import {
  createTransferRequestValidator,
  type TransferRequest,
  TransferRequestBody,
} from '@interco/contracts';
import { type PartValidator, principalOf, validatorCompiler } from '@interco/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IntakeDeps } from '../deps.js';
import { maxBodyBytes } from '../transfers/body-limit.js';
import { cancelTransfer, retryTransfer } from '../transfers/retry-cancel.js';
import { submitOutcome } from '../transfers/submit-outcome.js';
import { submitTransfer } from '../transfers/submit-transfer.js';
import {
  AUTH_ERRORS,
  errorResponses,
  IdempotencyHeaders,
  optionalBody,
  ReasonBody,
  TransferAccepted,
  TransferIdParams,
  TransferRequestAccepted,
} from './schemas.js';

/** Requests answered with an earlier transfer for their Idempotency-Key (counted `replayed`). */
const replayedRequests = new WeakSet<FastifyRequest>();

/**
 * The options every route taking a transfer request shares: the body limit that follows from
 * the caps (body-limit.ts), the contracts' validator for the body (every problem with its
 * path, the normalized request as the body; TypeBox for the other parts), and an `onResponse`
 * hook counting every answer in `interco_transfers_submitted_total` (submitOutcome).
 */
export function transferRequestRouteOptions(deps: Pick<IntakeDeps, 'caps' | 'metrics'>) {
  const validate: PartValidator = createTransferRequestValidator({
    maxSerials: deps.caps.maxSerials,
    maxItems: deps.caps.maxItems,
  });
  return {
    bodyLimit: maxBodyBytes(deps.caps),
    validatorCompiler: validatorCompiler({ body: validate }),
    bodyLimitReason: `a transfer takes at most ${deps.caps.maxSerials.toLocaleString('en')} serials and ${deps.caps.maxItems.toLocaleString('en')} items: split it into several transfers`,
    onResponse: async (request: FastifyRequest, reply: FastifyReply) => {
      deps.metrics?.transferSubmitted(submitOutcome(reply.statusCode, replayedRequests.has(request)));
    },
  };
}

/** Submits the (validated, normalized) body of a request; the answer's fields. */
export async function submit(deps: IntakeDeps, request: FastifyRequest) {
  const body = request.body as TransferRequest;
  const key = (request.headers as { 'idempotency-key'?: string })['idempotency-key'];
  const result = await submitTransfer(deps, body, principalOf(request), key);
  if (result.replayed) replayedRequests.add(request);
  return { transfer_id: result.transfer_id, status_url: deps.statusUrl(result.transfer_id) };
}

const reasonOf = (request: FastifyRequest) => (request.body as { reason?: string }).reason;
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** POST /v1/transfers, POST /v1/transfers/{id}/retry, POST /v1/transfers/{id}/cancel. */
export function registerTransferRoutes(app: FastifyInstance, deps: IntakeDeps): void {
  const options = transferRequestRouteOptions(deps);
  app.post(
    '/v1/transfers',
    {
      bodyLimit: options.bodyLimit,
      validatorCompiler: options.validatorCompiler,
      onResponse: options.onResponse,
      config: { auth: { scope: 'transfers:write' }, bodyLimitReason: options.bodyLimitReason },
      schema: {
        operationId: 'createTransfer',
        summary: 'Request a transfer',
        description:
          'Validates the request (every problem with its path), checks that both instances are registered, honours Idempotency-Key, reserves the serials (a serial is in at most one active transfer), stores the manifest encrypted and publishes transfer.requested. The steps run from there; read the status at status_url.',
        tags: ['transfers'],
        headers: IdempotencyHeaders,
        body: TransferRequestBody,
        response: {
          202: TransferAccepted,
          ...errorResponses(400, ...AUTH_ERRORS, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const answer = await submit(deps, request);
      return reply.code(202).header('location', answer.status_url).send(answer);
    },
  );

  for (const action of ['retry', 'cancel'] as const) {
    app.post(
      `/v1/transfers/:id/${action}`,
      {
        validatorCompiler: validatorCompiler({ body: optionalBody(ReasonBody) }),
        config: { auth: { scope: 'transfers:write' } },
        schema: {
          operationId: `${action}Transfer`,
          summary: action === 'retry' ? 'Retry a failed transfer' : 'Cancel a transfer',
          description:
            action === 'retry'
              ? 'Allowed when the transfer failed (its failed step runs again) or its cancel failed (the compensation runs again from pr-b); opens a new generation. Otherwise 409 saying why.'
              : 'Allowed unless the transfer is cancelling or cancelled. Forward work stops before its next write and every document made is cancelled, last first; a completed transfer takes its serials back first (409 if another transfer holds one). Opens a new generation.',
          tags: ['transfers'],
          params: TransferIdParams,
          body: ReasonBody,
          response: {
            202: TransferRequestAccepted,
            ...errorResponses(400, ...AUTH_ERRORS, 404, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const run = action === 'retry' ? retryTransfer : cancelTransfer;
        const answer = await run(deps, idOf(request), principalOf(request), reasonOf(request));
        const status_url = deps.statusUrl(answer.transfer_id);
        return reply
          .code(202)
          .header('location', status_url)
          .send({ ...answer, status_url });
      },
    );
  }
}
