/**
 * What a service's Kubernetes objects say about it: its Deployment's container, the environment
 * the container gets (from env, ConfigMaps and Secrets), its Service and PodDisruptionBudget.
 */
import type { EnvSettings, EnvValue } from './environment.js';
import type { Manifest } from './k8s.js';

export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port?: string | number };
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly {
    readonly name: string;
    readonly value?: string;
    readonly valueFrom?: {
      readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
      readonly configMapKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
    };
  }[];
  readonly envFrom?: readonly {
    readonly configMapRef?: { readonly name: string; readonly optional?: boolean };
    readonly secretRef?: { readonly name: string };
  }[];
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: { readonly preStop?: { readonly exec?: { readonly command?: readonly string[] } } };
  readonly resources?: {
    readonly requests?: Readonly<Record<string, string>>;
    readonly limits?: Readonly<Record<string, string>>;
  };
  readonly securityContext?: {
    readonly runAsNonRoot?: boolean;
    readonly runAsUser?: number;
    readonly readOnlyRootFilesystem?: boolean;
    readonly allowPrivilegeEscalation?: boolean;
    readonly capabilities?: { readonly drop?: readonly string[] };
  };
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly terminationGracePeriodSeconds?: number;
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number };
}

export interface DeploymentSpec {
  readonly replicas?: number;
  readonly selector: { readonly matchLabels?: Readonly<Record<string, string>> };
  readonly template: {
    readonly metadata?: {
      readonly labels?: Readonly<Record<string, string>>;
      readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly spec: PodSpec;
  };
}

export function find(objects: readonly Manifest[], kind: string, name: string): Manifest | undefined {
  return objects.find((object) => object.kind === kind && object.metadata.name === name);
}

export function deploymentSpec(deployment: Manifest): DeploymentSpec {
  return deployment.spec as DeploymentSpec;
}

/** The port a probe or a Service's targetPort names, as a number. */
export function resolvePort(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/**
 * The environment a container gets, as EnvValues: literals from `value` and from ConfigMaps
 * (`envFrom` and `configMapKeyRef`, looked up among `objects`), external values from Secrets
 * (`secretKeyRef`: mandatory unless `optional: true`). `problems` gets what cannot be resolved.
 */
export function containerEnvironment(
  container: Container,
  objects: readonly Manifest[],
  problems: string[],
): EnvSettings {
  const settings = new Map<string, EnvValue>();
  const configMap = (name: string) =>
    find(objects, 'ConfigMap', name)?.data as Record<string, string> | undefined;
  for (const source of container.envFrom ?? []) {
    if (source.secretRef !== undefined) {
      problems.push(
        `envFrom secretRef ${source.secretRef.name}: name each secret variable with secretKeyRef`,
      );
    }
    if (source.configMapRef === undefined) continue;
    const data = configMap(source.configMapRef.name);
    if (data === undefined) {
      if (source.configMapRef.optional !== true) problems.push(`no ConfigMap ${source.configMapRef.name}`);
      continue;
    }
    for (const [name, value] of Object.entries(data)) settings.set(name, { kind: 'literal', value });
  }
  for (const entry of container.env ?? []) {
    const secret = entry.valueFrom?.secretKeyRef;
    const fromConfigMap = entry.valueFrom?.configMapKeyRef;
    if (entry.value !== undefined) settings.set(entry.name, { kind: 'literal', value: entry.value });
    else if (secret !== undefined) {
      settings.set(entry.name, {
        kind: 'external',
        from: `secret ${secret.name} key ${secret.key}`,
        mandatory: secret.optional !== true,
      });
    } else if (fromConfigMap !== undefined) {
      const value = configMap(fromConfigMap.name)?.[fromConfigMap.key];
      if (value === undefined)
        problems.push(`${entry.name}: no key ${fromConfigMap.key} in ConfigMap ${fromConfigMap.name}`);
      else settings.set(entry.name, { kind: 'literal', value });
    } else problems.push(`${entry.name}: neither a value nor a reference`);
  }
  return settings;
}

/** The Secret keys a container refers to, by Secret name. */
export function secretReferences(container: Container): Map<string, Set<string>> {
  const references = new Map<string, Set<string>>();
  for (const entry of container.env ?? []) {
    const secret = entry.valueFrom?.secretKeyRef;
    if (secret === undefined) continue;
    references.set(secret.name, (references.get(secret.name) ?? new Set()).add(secret.key));
  }
  return references;
}

/** Kubernetes' `1`, `500m`, `256Mi`, `1Gi` as numbers (cores, bytes). */
export function quantity(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(String(text));
  if (match === null) return Number.NaN;
  const factor = { m: 0.001, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * factor;
}

/** The HorizontalPodAutoscaler managing a Deployment (same namespace, its scaleTargetRef), if any. */
export function autoscalerOf(objects: readonly Manifest[], deployment: Manifest): Manifest | undefined {
  return objects.find((object) => {
    if (object.kind !== 'HorizontalPodAutoscaler') return false;
    const target = (object.spec as { scaleTargetRef?: { kind?: string; name?: string } }).scaleTargetRef;
    return (
      target?.kind === deployment.kind &&
      target.name === deployment.metadata.name &&
      object.metadata.namespace === deployment.metadata.namespace
    );
  });
}
