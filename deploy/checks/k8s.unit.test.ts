import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isSecretVariable } from '@interco/service';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCompose } from './compose.js';
import { type EnvValue, effectivePort, envProblems } from './environment.js';
import {
  buildKustomization,
  CLUSTER_SCOPED_KINDS,
  componentDirs,
  documents,
  isKustomization,
  isManifest,
  K8S_DIR,
  kubectlKustomize,
  kustomizationDirs,
  kustomizationFiles,
  type Manifest,
  parseEnvFile,
  relativePath,
  validateBuiltIn,
  writeKustomization,
  yamlFiles,
} from './k8s.js';
import {
  autoscalerOf,
  containerEnvironment,
  deploymentSpec,
  find,
  quantity,
  resolvePort,
  secretReferences,
} from './k8s-workloads.js';
import { admits, type LabelSelector, type Pod, selects } from './network-policy.js';
import { readRepoFile } from './repo.js';
import { SERVICES } from './services.js';

/** onShutdown's default timeout (packages/service): the longest a service drains after SIGTERM. */
const DRAIN_SECONDS = 30;

const files = yamlFiles();
const helmValues = files.filter((path) => path.endsWith('-values.yaml'));
const manifestFiles = files.filter((path) => !helmValues.includes(path) && !isKustomization(path));
const allManifests = manifestFiles.flatMap((path) =>
  documents(path).map((document) => ({ path: relativePath(path), document })),
);
const exampleSecret = allManifests
  .map(({ document }) => document)
  .filter(isManifest)
  .find((manifest) => manifest.kind === 'Secret' && manifest.metadata.name === 'interco-secrets');
const mongodb = allManifests
  .map(({ document }) => document)
  .filter(isManifest)
  .find((manifest) => manifest.kind === 'MongoDBCommunity');

interface MongoUser {
  name: string;
  db: string;
  connectionStringSecretName?: string;
  roles: { name: string; db: string }[];
}

describe('deploy/k8s: every manifest', () => {
  it.each(allManifests.map(({ path, document }, index) => [`${path} #${index}`, document]))(
    '%s is a valid Kubernetes object',
    async (_, document) => {
      expect(isManifest(document)).toBe(true);
      const manifest = document as Manifest;
      expect(manifest.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      const verdict = await validateBuiltIn(manifest);
      if (verdict === 'no-schema') {
        // Custom resources: kubernetes-models has no schema for them; checked one by one below.
        expect(['MongoDBCommunity', 'ServiceMonitor']).toContain(manifest.kind);
      } else expect(verdict).toBeUndefined();
    },
  );

  it('leaves no manifest unused: each is in a kustomization, or an infra or example file', () => {
    const used = new Set(kustomizationDirs().flatMap((dir) => kustomizationFiles(dir)));
    for (const path of used) expect(files, `${relativePath(path)} is listed but missing`).toContain(path);
    const unused = manifestFiles.filter(
      (path) => !used.has(path) && !/\/(infra|examples|components)\//.test(relativePath(path)),
    );
    expect(unused.map(relativePath)).toEqual([]);
  });

  it('validates the objects kubernetes-models knows and refuses invalid ones', async () => {
    const bad = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { replicas: 'two' },
    };
    expect(await validateBuiltIn(bad as unknown as Manifest)).toMatch(/replicas|selector|template/);
  });
});

// The base with every component and no overlay: the components' objects must carry their namespace
// themselves (the base's `namespace:` does not reach what a component adds to a kustomization).
const everyComponent = writeKustomization([join(K8S_DIR, 'base')], componentDirs());
afterAll(() => rmSync(everyComponent, { recursive: true, force: true }));

const EVERY_COMPONENT = 'deploy/k8s/base with every component, no overlay';
const composedBuilds: [string, () => Manifest[] | undefined][] = [
  [`${EVERY_COMPONENT} (built here)`, () => buildKustomization(everyComponent)],
  [`${EVERY_COMPONENT} (kubectl kustomize)`, () => kubectlKustomize(everyComponent)],
];

const builds: [string, () => Manifest[] | undefined][] = [
  ...kustomizationDirs().flatMap((dir): [string, () => Manifest[] | undefined][] => [
    [`${relativePath(dir)} (built here)`, () => buildKustomization(dir)],
    [`${relativePath(dir)} (kubectl kustomize)`, () => kubectlKustomize(dir)],
  ]),
  ...composedBuilds,
];

describe.each(builds)('%s', (_, build) => {
  const objects = build();
  // kubectl is not installed: the same checks ran on the build made here.
  const run = objects === undefined ? it.skip : it;

  run('puts every object in the namespace interco (cluster-scoped kinds have none)', () => {
    expect(objects?.length).toBeGreaterThan(0);
    for (const object of objects ?? []) {
      const namespace = object.metadata.namespace;
      if (CLUSTER_SCOPED_KINDS.has(object.kind)) expect(namespace, object.kind).toBeUndefined();
      else expect(namespace, `${object.kind} ${object.metadata.name}`).toBe('interco');
    }
  });

  run('validates against the Kubernetes schemas', async () => {
    for (const object of objects ?? []) {
      const verdict = await validateBuiltIn(object);
      expect(
        verdict === 'no-schema' ? undefined : verdict,
        `${object.kind} ${object.metadata.name}`,
      ).toBeUndefined();
    }
  });

  describe.each(SERVICES.map((service) => [service.name, service] as const))('%s', (name, service) => {
    const deployment = objects === undefined ? undefined : find(objects, 'Deployment', name);
    const spec = deployment === undefined ? undefined : deploymentSpec(deployment);
    const pod = spec?.template.spec;
    const container = pod?.containers.find((candidate) => candidate.name === name);

    run('has a Deployment running its image, in the namespace interco', () => {
      expect(deployment?.metadata.namespace).toBe('interco');
      expect(container?.image).toMatch(new RegExp(`(^|/)interco/${name}:[\\w.-]+$`));
      expect(pod?.containers).toHaveLength(1);
    });

    run('sets only variables of its configuration schema, every required one, with values it accepts', () => {
      const problems: string[] = [];
      const env =
        container === undefined
          ? new Map<string, EnvValue>()
          : containerEnvironment(container, objects ?? [], problems);
      expect([...problems, ...envProblems(service.schema, env)]).toEqual([]);
      expect(env.get('NATS_URL')?.kind).toBe('literal');
      for (const [variable, value] of env) {
        if (isSecretVariable(variable))
          expect(value.kind, `${variable} must come from a Secret`).toBe('external');
      }
    });

    run('reads its secrets from the Secrets the deployment makes', () => {
      const references =
        container === undefined ? new Map<string, Set<string>>() : secretReferences(container);
      const exampleKeys = Object.keys((exampleSecret?.stringData ?? {}) as Record<string, string>);
      for (const [secret, keys] of references) {
        if (secret === 'interco-secrets') {
          const required = [...keys].filter((key) =>
            container?.env?.some((entry) => {
              const reference = entry.valueFrom?.secretKeyRef;
              return reference?.key === key && reference.optional !== true;
            }),
          );
          expect(exampleKeys).toEqual(expect.arrayContaining(required));
        } else {
          const users = (mongodb?.spec as { users?: MongoUser[] } | undefined)?.users ?? [];
          expect(
            users.map((user) => user.connectionStringSecretName),
            secret,
          ).toContain(secret);
          expect([...keys]).toEqual(['connectionString.standard']);
        }
      }
    });

    run('listens on its port: container port, probes, Service and scrape annotations agree', () => {
      if (container === undefined || spec === undefined) throw new Error('no container');
      const env = containerEnvironment(container, objects ?? [], []);
      const port = effectivePort(service.schema, env);
      expect(port).toBe(service.port);
      expect(container.ports?.map((p) => p.containerPort)).toEqual([port]);
      expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(resolvePort(container, container.readinessProbe?.httpGet?.port)).toBe(port);
      expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(resolvePort(container, container.livenessProbe?.httpGet?.port)).toBe(port);
      if (container.startupProbe !== undefined) {
        expect(resolvePort(container, container.startupProbe.httpGet?.port)).toBe(port);
      }
      const annotations = spec.template.metadata?.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/port']).toBe(String(port));
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      const svc = find(objects ?? [], 'Service', name)?.spec as
        | { selector: Record<string, string>; ports: { port: number; targetPort: string | number }[] }
        | undefined;
      expect(svc?.ports.map((p) => resolvePort(container, p.targetPort))).toEqual([port]);
      for (const [label, value] of Object.entries(svc?.selector ?? {})) {
        expect(spec.template.metadata?.labels?.[label]).toBe(value);
      }
    });

    run('runs at least two replicas, a disruption budget keeping one, with requests and limits', () => {
      // With an autoscaler, its minimum (the Deployment leaves replicas to it); else spec.replicas.
      const autoscaler = deployment === undefined ? undefined : autoscalerOf(objects ?? [], deployment);
      const replicas =
        autoscaler === undefined
          ? (spec?.replicas ?? 1)
          : ((autoscaler.spec as { minReplicas?: number }).minReplicas ?? 1);
      expect(replicas).toBeGreaterThanOrEqual(2);
      const pdb = find(objects ?? [], 'PodDisruptionBudget', name)?.spec as
        | {
            minAvailable?: number;
            maxUnavailable?: number;
            selector: { matchLabels: Record<string, string> };
          }
        | undefined;
      if (service.isStep) expect(pdb).toBeDefined();
      if (pdb !== undefined) {
        expect(pdb.selector.matchLabels).toEqual(spec?.selector.matchLabels);
        expect(pdb.minAvailable ?? 0).toBeLessThan(replicas);
      }
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          expect(quantity(container?.resources?.[kind]?.[resource]), `${kind}.${resource}`).toBeGreaterThan(
            0,
          );
        }
      }
      expect(quantity(container?.resources?.requests?.memory)).toBeLessThanOrEqual(
        quantity(container?.resources?.limits?.memory),
      );
    });

    run('runs as non-root, read-only, without privileges, and has time to drain', () => {
      const podContext = pod?.securityContext;
      const context = container?.securityContext;
      expect(context?.runAsNonRoot ?? podContext?.runAsNonRoot).toBe(true);
      expect(context?.runAsUser ?? podContext?.runAsUser).not.toBe(0);
      expect(context?.readOnlyRootFilesystem).toBe(true);
      expect(context?.allowPrivilegeEscalation).toBe(false);
      expect(context?.capabilities?.drop).toContain('ALL');
      const preStop = container?.lifecycle?.preStop?.exec?.command ?? [];
      const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
      expect(pod?.terminationGracePeriodSeconds ?? 30).toBeGreaterThan(DRAIN_SECONDS + preStopSeconds);
    });
  });

  run(
    'scales with autoscalers targeting Deployments of their namespace, which leave replicas to them',
    () => {
      for (const hpa of (objects ?? []).filter((object) => object.kind === 'HorizontalPodAutoscaler')) {
        const spec = hpa.spec as {
          scaleTargetRef: { apiVersion: string; kind: string; name: string };
          minReplicas?: number;
        };
        expect(spec.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
        const target = (objects ?? []).find(
          (object) =>
            object.kind === 'Deployment' &&
            object.metadata.name === spec.scaleTargetRef.name &&
            object.metadata.namespace === hpa.metadata.namespace,
        );
        expect(
          target,
          `${hpa.metadata.name}: no Deployment ${spec.scaleTargetRef.name} in its namespace`,
        ).toBeDefined();
        // Every apply would set the count back, undoing what the autoscaler chose.
        expect(
          target === undefined ? undefined : deploymentSpec(target).replicas,
          `${spec.scaleTargetRef.name}: spec.replicas while an HPA manages it`,
        ).toBeUndefined();
        expect(spec.minReplicas ?? 1).toBeGreaterThanOrEqual(2);
      }
    },
  );

  run('opens with its network policies, on the pods of each service, the port it listens on', () => {
    for (const policy of (objects ?? []).filter((object) => object.kind === 'NetworkPolicy')) {
      const spec = policy.spec as {
        podSelector: LabelSelector;
        ingress?: { ports?: { port: string | number }[] }[];
      };
      for (const service of SERVICES) {
        const deployment = find(objects ?? [], 'Deployment', service.name);
        const template = deployment === undefined ? undefined : deploymentSpec(deployment).template;
        if (!selects(spec.podSelector, template?.metadata?.labels ?? {})) continue;
        for (const rule of spec.ingress ?? []) {
          for (const { port } of rule.ports ?? []) {
            const container = template?.spec.containers[0];
            expect(
              container === undefined ? undefined : resolvePort(container, port),
              `${policy.metadata.name} ${service.name}`,
            ).toBe(service.port);
          }
        }
      }
    }
  });

  run('has a ServiceMonitor component matching the Services, for the Prometheus Operator', () => {
    const [monitor] = documents(
      join(K8S_DIR, 'components/service-monitor/service-monitor.yaml'),
    ) as Manifest[];
    const spec = monitor?.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string; path: string }[];
    };
    for (const service of SERVICES) {
      const svc = find(objects ?? [], 'Service', service.name);
      for (const [label, value] of Object.entries(spec.selector.matchLabels)) {
        expect(svc?.metadata.labels?.[label], `${service.name} ${label}`).toBe(value);
      }
      const ports = ((svc?.spec as { ports?: { name: string }[] } | undefined)?.ports ?? []).map(
        (p) => p.name,
      );
      expect(ports).toContain(spec.endpoints[0]?.port);
    }
    expect(spec.endpoints[0]?.path).toBe('/metrics');
  });
});

describe('deploy/k8s/infra: NATS and MongoDB from their official charts', () => {
  const readme = readRepoFile('deploy/k8s/README.md');
  const values = (file: string) => parse(readRepoFile(`deploy/k8s/infra/${file}`)) as Record<string, unknown>;

  it('installs the NATS chart, at the version its values name, as the service the services use', () => {
    const text = readRepoFile('deploy/k8s/infra/nats-values.yaml');
    const version = /chart version (\d+\.\d+\.\d+)/.exec(text)?.[1];
    expect(readme).toContain('helm repo add nats https://nats-io.github.io/k8s/helm/charts/');
    expect(readme).toMatch(
      new RegExp(
        `helm upgrade --install nats nats/nats --version ${version} --namespace interco\\s+\\S*\\s*--values deploy/k8s/infra/nats-values.yaml`,
      ),
    );
    const common = parseEnvFile(readRepoFile('deploy/k8s/base/config/common.env'));
    expect(common.NATS_URL).toBe('nats://nats:4222');
  });

  it('runs NATS as 3 servers with JetStream on file storage, the nats-server version of compose', () => {
    const nats = values('nats-values.yaml') as {
      config: {
        cluster: { enabled: boolean; replicas: number };
        jetstream: {
          enabled: boolean;
          fileStore: { enabled: boolean; pvc: { enabled: boolean; size: string } };
        };
      };
      container: { image: { tag: string } };
    };
    expect(nats.config.cluster).toMatchObject({ enabled: true });
    expect(nats.config.cluster.replicas).toBeGreaterThanOrEqual(3);
    expect(nats.config.jetstream).toMatchObject({
      enabled: true,
      fileStore: { enabled: true, pvc: { enabled: true } },
    });
    expect(quantity(nats.config.jetstream.fileStore.pvc.size)).toBeGreaterThan(0);
    const composeImage = loadCompose().services.nats?.image ?? '';
    expect(`nats:${nats.container.image.tag}`).toBe(composeImage);
  });

  it('runs MongoDB as a 3-member replica set of the operator, the tracker a user of its database', () => {
    const text = readRepoFile('deploy/k8s/infra/mongodb-kubernetes-values.yaml');
    const version = /chart version (\d+\.\d+\.\d+)/.exec(text)?.[1];
    expect(readme).toContain('helm repo add mongodb https://mongodb.github.io/helm-charts');
    expect(readme).toMatch(
      new RegExp(
        `helm upgrade --install mongodb-kubernetes mongodb/mongodb-kubernetes --version ${version} --namespace interco\\s+\\S*\\s*--values deploy/k8s/infra/mongodb-kubernetes-values.yaml`,
      ),
    );
    const operator = values('mongodb-kubernetes-values.yaml') as { operator: { watchedResources: string[] } };
    expect(operator.operator.watchedResources).toContain('mongodbcommunity');
    expect(mongodb?.apiVersion).toBe('mongodbcommunity.mongodb.com/v1');
    const spec = mongodb?.spec as { type: string; members: number; version: string; users: MongoUser[] };
    expect(spec.type).toBe('ReplicaSet');
    expect(spec.members).toBeGreaterThanOrEqual(3);
    expect(spec.version).toMatch(/^\d+\.\d+\.\d+$/);
    const database = parseEnvFile(readRepoFile('deploy/k8s/base/config/tracker.env')).MONGODB_DB;
    const tracker = spec.users.find((user) => user.connectionStringSecretName === 'interco-mongodb-tracker');
    expect(tracker?.roles).toContainEqual({ name: 'readWrite', db: database });
    expect(readme).toContain('interco-mongodb-tracker-password');
  });

  it('shows the Secret the services read with placeholders only', () => {
    expect(exampleSecret).toBeDefined();
    for (const value of Object.values((exampleSecret?.stringData ?? {}) as Record<string, string>)) {
      expect(value).toMatch(/^<.*>$/);
    }
  });
});

/**
 * The pods of the charts, with the labels their templates give them (read from the charts'
 * sources at the versions infra/ pins, deploy/k8s/README.md "Network policies"):
 * - nats 2.14.2, helm/charts/nats/templates/_helpers.tpl: `nats.selectorLabels` (name: the chart's
 *   name `nats`, instance: the release, component: nats) on the StatefulSet's pods,
 *   `natsBox.selectorLabels` (component: nats-box) on nats-box's;
 * - mongodb-kubernetes 1.10.0: the replica set's pods are labelled `app: <ServiceName()>`,
 *   `<metadata.name>-svc` (mongodb-community-operator/controllers/construct/mongodbstatefulset.go,
 *   api/v1/mongodbcommunity_types.go); the operator's pods (helm_chart/templates/operator.yaml)
 *   `app.kubernetes.io/name` and `instance`: `operator.name` (values.yaml: mongodb-kubernetes-operator).
 */
describe.each(composedBuilds)('%s: NATS and MongoDB admit only their clients', (_, build) => {
  const objects = build();
  const run = objects === undefined ? it.skip : it;
  const policies = (objects ?? []).filter((object) => object.kind === 'NetworkPolicy');
  const readme = readRepoFile('deploy/k8s/README.md');
  const natsRelease = /helm upgrade --install (\S+) nats\/nats /.exec(readme)?.[1] ?? '';
  const natsChartVersion = /nats\/nats --version (\S+)/.exec(readme)?.[1] ?? '';
  const natsValues = parse(readRepoFile('deploy/k8s/infra/nats-values.yaml')) as {
    nameOverride?: string;
    config: { cluster: { port?: number }; monitor: { port: number } };
  };
  const operatorValues = parse(readRepoFile('deploy/k8s/infra/mongodb-kubernetes-values.yaml')) as {
    operator: { name?: string };
  };
  const chartLabels = (component: string) => ({
    'app.kubernetes.io/name': natsValues.nameOverride ?? 'nats',
    'app.kubernetes.io/instance': natsRelease,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/version': natsChartVersion,
    'app.kubernetes.io/managed-by': 'Helm',
    'helm.sh/chart': `nats-${natsChartVersion}`,
  });
  const pod = (labels: Record<string, string>, namespace = 'interco'): Pod => ({ namespace, labels });
  const natsServer = pod(chartLabels('nats'));
  const natsBox = pod(chartLabels('nats-box'));
  const mongodbName = mongodb?.metadata.name ?? '';
  const mongodbServiceName = (mongodb?.spec as { statefulSet?: { spec?: { serviceName?: string } } })
    ?.statefulSet?.spec?.serviceName;
  const mongodbMember = pod({ app: mongodbServiceName ?? `${mongodbName}-svc` });
  const operatorName = operatorValues.operator.name ?? 'mongodb-kubernetes-operator';
  const operator = pod({
    'app.kubernetes.io/component': 'controller',
    'app.kubernetes.io/name': operatorName,
    'app.kubernetes.io/instance': operatorName,
  });
  const servicePod = (name: string) => {
    const deployment = find(objects ?? [], 'Deployment', name);
    return pod({ ...(deployment === undefined ? {} : deploymentSpec(deployment).template.metadata?.labels) });
  };
  const natsPort = Number(
    new URL(parseEnvFile(readRepoFile('deploy/k8s/base/config/common.env')).NATS_URL ?? '').port,
  );
  const routesPort = natsValues.config.cluster.port ?? 6222;
  const strangers = [
    pod({ app: 'something-else' }),
    pod({ 'app.kubernetes.io/part-of': 'interco' }, 'another-namespace'),
    pod({ 'app.kubernetes.io/component': 'nats-box' }),
  ];

  run('knows where NATS and MongoDB listen', () => {
    expect(natsRelease).toBe('nats');
    expect(natsPort).toBe(4222);
    expect(natsValues.config.monitor.port).toBe(8222);
    expect(mongodbName).toBe('interco-mongodb');
  });

  run("admits to the NATS servers' clients port only Interco's pods, nats-box and the servers", () => {
    for (const service of SERVICES) {
      const client = servicePod(service.name);
      expect(client.labels['app.kubernetes.io/part-of'], service.name).toBe('interco');
      expect(admits(policies, client, natsServer, natsPort), service.name).toBe(true);
      expect(admits(policies, client, natsServer, routesPort), service.name).toBe(false);
    }
    expect(admits(policies, natsBox, natsServer, natsPort)).toBe(true);
    expect(admits(policies, natsServer, natsServer, natsPort)).toBe(true);
    expect(admits(policies, natsServer, natsServer, routesPort)).toBe(true);
    for (const stranger of strangers) {
      for (const port of [natsPort, routesPort, natsValues.config.monitor.port]) {
        expect(admits(policies, stranger, natsServer, port), `${JSON.stringify(stranger)} ${port}`).toBe(
          false,
        );
      }
    }
  });

  run("admits to MongoDB's members only the tracker, the other members and the operator", () => {
    for (const service of SERVICES) {
      expect(admits(policies, servicePod(service.name), mongodbMember, 27017), service.name).toBe(
        service.usesMongo,
      );
    }
    expect(SERVICES.filter((service) => service.usesMongo).map((service) => service.name)).toEqual([
      'tracker',
    ]);
    expect(admits(policies, mongodbMember, mongodbMember, 27017)).toBe(true);
    expect(admits(policies, operator, mongodbMember, 27017)).toBe(true);
    for (const stranger of [...strangers, natsServer, natsBox]) {
      expect(admits(policies, stranger, mongodbMember, 27017), JSON.stringify(stranger)).toBe(false);
    }
  });

  run('admits no source to NATS or MongoDB from an address block or from everywhere', () => {
    for (const policy of policies) {
      const spec = policy.spec as {
        podSelector: LabelSelector;
        ingress?: { from?: { ipBlock?: unknown }[] }[];
      };
      if (!selects(spec.podSelector, natsServer.labels) && !selects(spec.podSelector, mongodbMember.labels))
        continue;
      for (const rule of spec.ingress ?? []) {
        expect(rule.from?.length ?? 0, policy.metadata.name).toBeGreaterThan(0);
        for (const peer of rule.from ?? []) expect(peer.ipBlock, policy.metadata.name).toBeUndefined();
      }
    }
  });
});

describe('network-policy: what a NetworkPolicy admits', () => {
  const policy = (spec: object): Manifest => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'ns' },
    spec,
  });
  const target: Pod = { namespace: 'ns', labels: { app: 'db' }, namedPorts: { db: 5432 } };
  const client: Pod = { namespace: 'ns', labels: { app: 'client' } };
  const elsewhere: Pod = { namespace: 'other', labels: { app: 'client' } };

  it('admits everything to a pod no policy selects, nothing a selecting policy leaves out', () => {
    expect(admits([], client, target, 5432)).toBe(true);
    const deny = policy({ podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] });
    expect(admits([deny], client, target, 5432)).toBe(false);
    expect(admits([deny], client, { ...target, labels: { app: 'web' } }, 5432)).toBe(true);
  });

  it('matches peers by pod labels in the policy namespace, by namespace labels, and ports', () => {
    const allow = policy({
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] },
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'db' }] },
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }],
          ports: [{ port: 9 }],
        },
      ],
    });
    expect(admits([allow], client, target, 5432)).toBe(true);
    expect(admits([allow], client, target, 9)).toBe(false);
    expect(admits([allow], elsewhere, target, 5432)).toBe(false);
    expect(admits([allow], elsewhere, target, 9)).toBe(true);
    expect(admits([policy({ podSelector: {}, ingress: [{}] })], elsewhere, target, 1)).toBe(true);
  });
});
