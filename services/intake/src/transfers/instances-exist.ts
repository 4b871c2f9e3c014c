import type { Problem, TransferRequest } from '@interco/contracts';
import { type InstanceRegistry, RegistryError } from '@interco/erpnext';
import { ApiError } from '@interco/http';
import type { IntakeErrorCode } from '../error-codes.js';

const FIELDS = ['company_a_instance_id', 'company_b_instance_id'] as const;

/** 422 naming each instance id of the request that is not registered. */
export async function checkInstancesExist(
  registry: Pick<InstanceRegistry, 'describe'>,
  request: Pick<TransferRequest, (typeof FIELDS)[number]>,
): Promise<void> {
  const problems: Problem[] = [];
  await Promise.all(
    FIELDS.map(async (field) => {
      try {
        await registry.describe(request[field]);
      } catch (error) {
        if (!(error instanceof RegistryError && error.kind === 'not_found')) throw error;
        problems.push({
          path: field,
          message: `no ERPNext instance "${request[field]}" is registered (an admin adds it with POST /v1/admin/instances)`,
        });
      }
    }),
  );
  if (problems.length === 0) return;
  problems.sort((x, y) => x.path.localeCompare(y.path));
  throw new ApiError<IntakeErrorCode>(
    422,
    'unknown_instance',
    problems.length === 1
      ? `the request names an ERPNext instance that is not registered (${problems[0]?.path})`
      : 'the request names ERPNext instances that are not registered',
    { problems },
  );
}
