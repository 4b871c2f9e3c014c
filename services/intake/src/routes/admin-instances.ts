import { type TransferRequest, TransferRequestBody } from '@interco/contracts';
import {
  describePrepare,
  type ErpnextClient,
  InstanceConfig,
  InstanceSummary,
  MARKED_DOCTYPES,
  type MarkedDoctype,
  preflight,
  prepared,
  prepareInstance,
  RegistryError,
} from '@interco/erpnext';
import { ApiError, invalidRequest, validatorCompiler } from '@interco/http';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IntakeDeps } from '../deps.js';
import type { IntakeErrorCode } from '../error-codes.js';
import { checkInstancesExist } from '../transfers/instances-exist.js';
import { AUTH_ERRORS, errorResponses, optionalBody } from './schemas.js';
import { transferRequestRouteOptions } from './transfers.js';

const ADMIN = { auth: { scope: 'admin' } } as const;
const TAGS = ['admin: instances'];

const InstanceIdParams = Type.Object(
  { id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$', description: 'the instance id' }) },
  { additionalProperties: false },
);

/** PUT: the fields to change; a credential only changes by giving a new one. */
const InstanceChanges = Type.Object(
  Object.fromEntries(
    Object.entries(InstanceConfig.properties)
      .filter(([key]) => key !== 'id')
      .map(([key, schema]) => [key, Type.Optional(schema as TSchema)]),
  ),
  {
    additionalProperties: false,
    description: 'the fields to change; api_key and api_secret are written only, never answered',
  },
);

const InstanceList = Type.Object({ instances: Type.Array(InstanceSummary) }, { additionalProperties: false });

const InstanceTestResult = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    user: Type.String({ description: 'the API user ERPNext answered as' }),
  }),
  Type.Object({
    ok: Type.Literal(false),
    error: Type.String({ description: 'why the instance could not be used' }),
  }),
]);

const PrepareBody = Type.Object(
  {
    doctypes: Type.Optional(
      Type.Array(Type.Union(MARKED_DOCTYPES.map((doctype) => Type.Literal(doctype))), {
        minItems: 1,
        uniqueItems: true,
        description: 'default: all three (company B needs only Purchase Receipt)',
      }),
    ),
  },
  { additionalProperties: false },
);

const PrepareResult = Type.Object(
  {
    instance: Type.String(),
    prepared: Type.Boolean({ description: 'every doctype has the unique marker field' }),
    results: Type.Array(
      Type.Object(
        {
          doctype: Type.String(),
          outcome: Type.Union([Type.Literal('installed'), Type.Literal('already'), Type.Literal('problem')]),
          kind: Type.Optional(Type.String()),
          message: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    summary: Type.Array(Type.String(), { description: 'one line per doctype, for a person' }),
  },
  { additionalProperties: false },
);

const PreflightReport = Type.Object(
  {
    ok: Type.Boolean(),
    problems: Type.Array(
      Type.Object(
        {
          instance: Type.Union([Type.Literal('a'), Type.Literal('b')]),
          check: Type.String({ description: 'a stable code, e.g. company_missing' }),
          path: Type.Optional(Type.String({ description: 'the request field it concerns' })),
          message: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    resolved: Type.Object({
      company_b: Type.Optional(Type.String()),
      selling_price_list: Type.Optional(Type.String()),
    }),
  },
  { additionalProperties: false },
);

/** The registry's refusals as answers; anything else is thrown on. */
function registryAnswer(error: unknown): never {
  if (error instanceof RegistryError) {
    if (error.kind === 'not_found') throw new ApiError<IntakeErrorCode>(404, 'not_found', error.message);
    if (error.kind === 'conflict') throw new ApiError<IntakeErrorCode>(409, 'conflict', error.message);
    throw invalidRequest(error.problems, 'the instance is not valid: see problems (each names its path)');
  }
  throw error;
}

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** Runs `work` with a client for each given config, closing them after. */
async function withClients<T>(
  deps: IntakeDeps,
  configs: readonly InstanceConfig[],
  work: (clients: ErpnextClient[]) => Promise<T>,
): Promise<T> {
  const clients = configs.map((config) => deps.erpnextClient(config));
  try {
    return await work(clients);
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  }
}

/**
 * The ERPNext instances, for admins: list, add, read, change, remove, test the connection,
 * prepare (install the unique marker field), and the preflight of a transfer between two of
 * them. Credentials are accepted on write and never answered (the registry's summaries).
 */
export function registerAdminInstanceRoutes(app: FastifyInstance, deps: IntakeDeps): void {
  const withId = { params: InstanceIdParams, tags: TAGS };

  app.get(
    '/v1/admin/instances',
    {
      config: ADMIN,
      schema: {
        operationId: 'listInstances',
        summary: 'List the ERPNext instances (never their credentials)',
        tags: TAGS,
        response: { 200: InstanceList, ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async () => ({ instances: await deps.registry.list() }),
  );

  app.post(
    '/v1/admin/instances',
    {
      config: ADMIN,
      schema: {
        operationId: 'addInstance',
        summary: 'Register an ERPNext instance',
        description: 'api_key and api_secret are stored sealed (AES-256-GCM) and never answered.',
        tags: TAGS,
        body: InstanceConfig,
        response: { 201: InstanceSummary, ...errorResponses(400, ...AUTH_ERRORS, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const summary = await deps.registry.add(request.body as InstanceConfig).catch(registryAnswer);
      return reply.code(201).send(summary);
    },
  );

  app.get(
    '/v1/admin/instances/:id',
    {
      config: ADMIN,
      schema: {
        operationId: 'getInstance',
        summary: 'Read an ERPNext instance (never its credentials)',
        ...withId,
        response: { 200: InstanceSummary, ...errorResponses(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (request) => deps.registry.describe(idOf(request)).catch(registryAnswer),
  );

  app.put(
    '/v1/admin/instances/:id',
    {
      config: ADMIN,
      schema: {
        operationId: 'updateInstance',
        summary: 'Change an ERPNext instance',
        description:
          'Only the fields given change; a credential changes only by giving a new one; a new base_url needs api_key and api_secret again (stored credentials are never sent to a new address).',
        ...withId,
        body: InstanceChanges,
        response: { 200: InstanceSummary, ...errorResponses(400, ...AUTH_ERRORS, 404, 409, 413, 415) },
      },
    },
    async (request) =>
      deps.registry
        .update(idOf(request), request.body as Parameters<IntakeDeps['registry']['update']>[1])
        .catch(registryAnswer),
  );

  app.delete(
    '/v1/admin/instances/:id',
    {
      config: ADMIN,
      schema: {
        operationId: 'removeInstance',
        summary: 'Remove an ERPNext instance (its sealed credentials are purged)',
        ...withId,
        response: { 204: Type.Null({ description: 'removed' }), ...errorResponses(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      await deps.registry.remove(idOf(request)).catch(registryAnswer);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/admin/instances/:id/test',
    {
      config: ADMIN,
      schema: {
        operationId: 'testInstance',
        summary: 'Test the connection and credentials of an ERPNext instance',
        ...withId,
        response: { 200: InstanceTestResult, ...errorResponses(400, ...AUTH_ERRORS, 404) },
      },
    },
    async (request) =>
      deps.registry
        .test(idOf(request), (config) =>
          withClients(deps, [config], ([client]) => (client as ErpnextClient).ping()),
        )
        .catch(registryAnswer),
  );

  app.post(
    '/v1/admin/instances/:id/prepare',
    {
      validatorCompiler: validatorCompiler({ body: optionalBody(PrepareBody) }),
      config: ADMIN,
      schema: {
        operationId: 'prepareInstance',
        summary: 'Install the unique marker field (exactly-once) on an ERPNext instance',
        description:
          'Idempotent: reads the Custom Field first, installs it where missing, reports a wrong existing one without changing it. One result per doctype. Needs System Manager on the site.',
        ...withId,
        body: PrepareBody,
        response: { 200: PrepareResult, ...errorResponses(400, ...AUTH_ERRORS, 404, 413, 415) },
      },
    },
    async (request) => {
      const id = idOf(request);
      const config = await deps.registry.config(id).catch(registryAnswer);
      const doctypes = (request.body as { doctypes?: MarkedDoctype[] }).doctypes;
      const results = await withClients(deps, [config], ([client]) =>
        prepareInstance(client as ErpnextClient, doctypes === undefined ? {} : { doctypes }),
      );
      deps.logger.info({ instance: id, actor: request.principal?.tokenId }, 'instance prepared');
      return { instance: id, prepared: prepared(results), results, summary: describePrepare(id, results) };
    },
  );

  const transferOptions = transferRequestRouteOptions(deps);
  app.post(
    '/v1/admin/preflight',
    {
      bodyLimit: transferOptions.bodyLimit,
      validatorCompiler: transferOptions.validatorCompiler,
      config: { ...ADMIN, bodyLimitReason: transferOptions.bodyLimitReason },
      schema: {
        operationId: 'preflight',
        summary: 'Check both instances of a transfer request for everything it needs',
        description:
          'Nothing is written and nothing is reserved: the preflight reads both instances (master data, settings, the marker field, rights, the serials already there) and answers every problem at once. Serial values never appear in it.',
        tags: TAGS,
        body: TransferRequestBody,
        response: { 200: PreflightReport, ...errorResponses(400, ...AUTH_ERRORS, 413, 415, 422) },
      },
    },
    async (request) => {
      const manifest = request.body as TransferRequest;
      await checkInstancesExist(deps.registry, manifest);
      const configs = await Promise.all(
        [manifest.company_a_instance_id, manifest.company_b_instance_id].map((id) =>
          deps.registry.config(id).catch(registryAnswer),
        ),
      );
      return withClients(deps, configs, ([a, b]) =>
        preflight({ a: a as ErpnextClient, b: b as ErpnextClient }, manifest),
      );
    },
  );
}
