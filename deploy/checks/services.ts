/**
 * The services Interco deploys, read from the code: intake, the four step services (from the
 * step runtime's STEP_DEFAULT_PORTS) and the tracker, each with its configuration schema and the
 * port its schema defaults to. Every check of deploy/ starts from this list, so a new service or a
 * new variable in a schema is checked without touching the checks.
 */
import { STEP_DEFAULT_PORTS, stepServiceConfig } from '@interco/bus';
import { IntakeConfigSchema } from '@interco/intake';
import { TrackerConfigSchema } from '@interco/tracker';
import type { TObject } from '@sinclair/typebox';

type Step = keyof typeof STEP_DEFAULT_PORTS;

export interface ServiceSpec {
  /** The name everywhere in deploy/: compose service, image target, Kubernetes Deployment. */
  readonly name: string;
  /** The workspace package holding the service (its `dist/main.js` is the process). */
  readonly packageName: string;
  /** The service's configuration schema: one property per environment variable. */
  readonly schema: TObject;
  /** The port the schema's PORT defaults to (docs/running.md's table). */
  readonly port: number;
  /** Whether the service talks to MongoDB (its schema has MONGODB_URL). */
  readonly usesMongo: boolean;
  /** A step service (po-a, pr-a, dn-a, pr-b): scaled out, guarded by a PodDisruptionBudget. */
  readonly isStep: boolean;
}

function spec(name: string, schema: TObject, isStep: boolean): ServiceSpec {
  const port = schema.properties.PORT?.default;
  if (typeof port !== 'number') throw new Error(`${name}: its config schema has no PORT default`);
  return {
    name,
    packageName: `@interco/${name}`,
    schema,
    port,
    usesMongo: 'MONGODB_URL' in schema.properties,
    isStep,
  };
}

/** The step `po_a` is the service `po-a`. */
export function stepServiceName(step: Step): string {
  return step.replaceAll('_', '-');
}

/** Every service, in pipeline order: intake, the steps, the tracker. */
export const SERVICES: readonly ServiceSpec[] = [
  spec('intake', IntakeConfigSchema, false),
  ...(Object.keys(STEP_DEFAULT_PORTS) as Step[]).map((step) =>
    spec(stepServiceName(step), stepServiceConfig(step), true),
  ),
  spec('tracker', TrackerConfigSchema, false),
];
