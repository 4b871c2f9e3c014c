import { TransferId, TransferRequestBody } from '@interco/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { IntakeDeps } from '../deps.js';
import { AUTH_ERRORS, errorResponses, IdempotencyHeaders } from './schemas.js';
import { submit, transferRequestRouteOptions } from './transfers.js';

/** The original plan's route and the `message` it answers with. */
export const PLAN_ROUTE = '/api/v1/workflow/start-workflow/';
export const PLAN_MESSAGE = 'Transfer accepted';

const PlanAccepted = Type.Object(
  {
    message: Type.Literal(PLAN_MESSAGE),
    execution_id: Type.String({ description: 'the plan’s name for the transfer id' }),
    transfer_id: TransferId,
    status_url: Type.String({ description: 'where the transfer’s status is read (served by the tracker)' }),
  },
  { additionalProperties: false },
);

/**
 * The original plan's route, for its clients: the same request and the same submission as
 * POST /v1/transfers, the plan's `Authorization: Token <key>` scheme accepted besides Bearer (the
 * key is an Interco token), and the plan's answer fields (`message`, `execution_id`).
 */
export function registerPlanRoute(app: FastifyInstance, deps: IntakeDeps): void {
  const options = transferRequestRouteOptions(deps);
  app.post(
    PLAN_ROUTE,
    {
      bodyLimit: options.bodyLimit,
      validatorCompiler: options.validatorCompiler,
      onResponse: options.onResponse,
      config: {
        auth: { scope: 'transfers:write', tokenScheme: true },
        bodyLimitReason: options.bodyLimitReason,
      },
      schema: {
        operationId: 'startWorkflow',
        summary: 'Request a transfer (the original plan’s route)',
        description:
          'The same as POST /v1/transfers, for clients of the original plan: "Authorization: Token <token>" is accepted besides Bearer, and the answer carries the plan’s fields message and execution_id (the transfer id).',
        tags: ['transfers'],
        security: [{ token: [] }, { bearer: [] }],
        headers: IdempotencyHeaders,
        body: TransferRequestBody,
        response: {
          202: PlanAccepted,
          ...errorResponses(400, ...AUTH_ERRORS, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const answer = await submit(deps, request);
      return reply
        .code(202)
        .header('location', answer.status_url)
        .send({ message: PLAN_MESSAGE, execution_id: answer.transfer_id, ...answer });
    },
  );
}
