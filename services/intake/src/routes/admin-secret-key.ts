import { StoreError } from '@interco/bus';
import { RegistryError } from '@interco/erpnext';
import { ApiError } from '@interco/http';
import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { IntakeDeps } from '../deps.js';
import type { IntakeErrorCode } from '../error-codes.js';
import { AUTH_ERRORS, errorResponses } from './schemas.js';

const ADMIN = { auth: { scope: 'admin' } } as const;
const TAGS = ['admin: secret key'];

const count = (description: string) => Type.Integer({ minimum: 0, description });

const KeyUsage = (what: string): TSchema =>
  Type.Object(
    {
      total: count(`${what}, all`),
      current: count('sealed with INTERCO_SECRET_KEY'),
      previous: count('only a key of INTERCO_SECRET_KEY_PREVIOUS opens them'),
      unknown: count('no key of the ring opens them (their key is not configured, or they were altered)'),
      unreadable: count(
        'cannot be read (not JSON, not a valid record, not a sealed value): intake’s log names them; previous_key_needed stays true while an instance, a data key or a manifest of a transfer not final is so',
      ),
    },
    { additionalProperties: false, description: `${what}, by the key they need` },
  );

const ResealCounts = Type.Object(
  {
    resealed: count('sealed again with the current key'),
    unchanged: count('already sealed with the current key'),
    unreadable: count(
      'could not be read (not JSON, not a valid record, or no key of the ring opens them): left as they are, their ids logged; the others were re-sealed',
    ),
  },
  { additionalProperties: false },
);

const SecretKeyStatus = Type.Object(
  {
    current_key: Type.String({
      description: 'fingerprint of INTERCO_SECRET_KEY (reveals nothing of the key)',
    }),
    previous_keys: Type.Array(Type.String(), { description: 'fingerprints of INTERCO_SECRET_KEY_PREVIOUS' }),
    instances: KeyUsage('the ERPNext instances (their credentials)'),
    data_keys: KeyUsage('the data keys (the serial digest key)'),
    transfers: Type.Object(
      {
        active: KeyUsage('the manifests of transfers not final (active, cancelling, reclaiming)'),
        final: KeyUsage('the manifests of final transfers (completed, cancelled)'),
      },
      { additionalProperties: false },
    ),
    previous_key_needed: Type.Boolean({
      description:
        'true while an instance, a data key or the manifest of a transfer not final needs a key of INTERCO_SECRET_KEY_PREVIOUS or cannot be read; once false it can be unset (mind final_transfers_needing_previous_key)',
    }),
    final_transfers_needing_previous_key: count(
      'final transfers (completed, cancelled) whose manifest only a previous key opens: once that key is dropped, the completed ones cannot be cancelled and the tracker cannot index their serials again (a rebuild); not counted in previous_key_needed',
    ),
    findings: Type.Array(Type.String(), { description: 'what the counts mean, one sentence each' }),
  },
  { additionalProperties: false },
);

const ResealResult = Type.Object(
  { instances: ResealCounts, data_keys: ResealCounts },
  { additionalProperties: false, description: 'what was re-sealed (counts only)' },
);

/**
 * Rotating INTERCO_SECRET_KEY (docs/secret-key-rotation.md), admin only: whether the previous keys
 * are still needed, and the re-seal of what is stored sealed in place.
 */
export function registerAdminSecretKeyRoutes(app: FastifyInstance, deps: IntakeDeps): void {
  app.get(
    '/v1/admin/secret-key',
    {
      config: ADMIN,
      schema: {
        operationId: 'secretKeyStatus',
        summary: 'Whether the previous secret keys are still needed',
        description:
          'Counts, by the key they need, the instances’ credentials, the data keys and the manifests of the transfers (reads every transfer record and the start of each manifest: an operator’s request, not a probe; calls made while a check runs share its answer). Key fingerprints and counts only.',
        tags: TAGS,
        response: { 200: SecretKeyStatus, ...errorResponses(...AUTH_ERRORS) },
      },
    },
    async () => deps.secretKey.status(),
  );

  app.post(
    '/v1/admin/secret-key/reseal',
    {
      config: ADMIN,
      schema: {
        operationId: 'resealSecrets',
        summary: 'Seal the instances’ credentials and the data keys again with the current key',
        description:
          'Idempotent: what is already sealed with INTERCO_SECRET_KEY is left as it is. Run it once every service runs with the new INTERCO_SECRET_KEY (the old one in INTERCO_SECRET_KEY_PREVIOUS). A record that cannot be read is counted `unreadable` and left as it is (its id in intake’s log); the others are re-sealed. Manifests are not re-sealed: GET /v1/admin/secret-key tells when the previous key is no longer needed.',
        tags: TAGS,
        response: { 200: ResealResult, ...errorResponses(...AUTH_ERRORS, 409) },
      },
    },
    async (request) => {
      const result = await deps.secretKey.reseal().catch((error: unknown) => {
        // A record that kept changing while it was re-sealed: running it again finishes it.
        const kind = error instanceof RegistryError || error instanceof StoreError ? error.kind : undefined;
        if (kind === 'conflict')
          throw new ApiError<IntakeErrorCode>(409, 'conflict', (error as Error).message);
        throw error;
      });
      request.log.info(
        { ...result, actor: request.principal?.tokenId },
        'secrets re-sealed with the current key',
      );
      return result;
    },
  );
}
