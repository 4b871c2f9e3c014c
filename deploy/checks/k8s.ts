/**
 * deploy/k8s as the checks read it: every YAML document of every file, the kustomizations (built
 * here for what deploy/k8s uses: resources, components, configMapGenerator, patches, namespace,
 * labels, images, replicas; or by `kubectl kustomize` when kubectl is installed), and each manifest
 * validated against the Kubernetes API schemas of kubernetes-models.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './repo.js';

export const K8S_DIR = join(REPO_ROOT, 'deploy/k8s');

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** Kustomize's own files: not Kubernetes objects. */
const KUSTOMIZE_KINDS = new Set(['Kustomization', 'Component']);

export function yamlFiles(dir = K8S_DIR): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    })
    .sort();
}

export function relativePath(path: string): string {
  return relative(REPO_ROOT, path);
}

/** Every YAML document of a file (empty documents left out); a YAML error throws. */
export function documents(path: string): unknown[] {
  return parseYamlDocuments(readFileSync(path, 'utf8'), relativePath(path));
}

function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

export function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
  return typeof apiVersion === 'string' && typeof kind === 'string' && !KUSTOMIZE_KINDS.has(kind);
}

export function isKustomization(path: string): boolean {
  return /(^|\/)kustomization\.ya?ml$/.test(path);
}

interface Kustomization {
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  resources?: string[];
  components?: string[];
  configMapGenerator?: { name: string; behavior?: string; envs?: string[]; literals?: string[] }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { target?: PatchTarget; patch?: string; path?: string }[];
}

/** The files a kustomization uses, its bases' included (to check none is left out or missing). */
export function kustomizationFiles(dir: string): string[] {
  const kustomization = documents(join(dir, 'kustomization.yaml'))[0] as Kustomization;
  return [...(kustomization.resources ?? []), ...(kustomization.components ?? [])].flatMap((entry) => {
    const path = join(dir, entry);
    if (existsSync(path) && statSync(path).isDirectory()) {
      return [join(path, 'kustomization.yaml'), ...kustomizationFiles(path)];
    }
    return [path];
  });
}

/**
 * The objects a kustomization makes, built here for the fields deploy/k8s uses (resources,
 * components, configMapGenerator with envs/literals and behavior merge, patches of JSON 6902
 * operations on a target, namespace, labels, images, replicas). As kustomize does, a component
 * works on the objects of the kustomization that lists it (`inherited`): its patches and
 * transformers reach the base's objects too, and the including kustomization's transformers reach
 * the component's objects. Generated ConfigMaps keep their plain names (kustomize adds a hash
 * suffix and rewrites the references: the same thing under another name). Other fields are
 * refused, so that a kustomization this cannot build is noticed rather than half-checked.
 */
export function buildKustomization(dir: string, inherited: readonly Manifest[] = []): Manifest[] {
  const kustomization = documents(join(dir, 'kustomization.yaml'))[0] as Kustomization &
    Record<string, unknown>;
  const known = new Set([
    'apiVersion',
    'kind',
    'namespace',
    'labels',
    'resources',
    'components',
    'configMapGenerator',
    'patches',
    'images',
    'replicas',
  ]);
  const unknown = Object.keys(kustomization).filter((field) => !known.has(field));
  if (unknown.length > 0) throw new Error(`${relativePath(dir)}: cannot build ${unknown.join(', ')} here`);
  let objects: Manifest[] = [...inherited];
  for (const entry of kustomization.resources ?? []) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) objects.push(...buildKustomization(path));
    else objects.push(...documents(path).filter(isManifest));
  }
  for (const entry of kustomization.components ?? []) objects = buildKustomization(join(dir, entry), objects);
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const file of generator.envs ?? [])
      Object.assign(data, parseEnvFile(readFileSync(join(dir, file), 'utf8')));
    Object.assign(data, parseEnvFile((generator.literals ?? []).join('\n')));
    const existing = objects.find(
      (object) => object.kind === 'ConfigMap' && object.metadata.name === generator.name,
    );
    if (generator.behavior === 'merge' || generator.behavior === 'replace') {
      if (existing === undefined)
        throw new Error(`${relativePath(dir)}: no ConfigMap ${generator.name} to ${generator.behavior}`);
      const merged =
        generator.behavior === 'merge' ? { ...(existing.data as Record<string, string>), ...data } : data;
      objects.splice(objects.indexOf(existing), 1, { ...existing, data: merged });
    } else {
      if (existing !== undefined)
        throw new Error(`${relativePath(dir)}: ConfigMap ${generator.name} made twice`);
      objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
    }
  }
  for (const patch of kustomization.patches ?? []) {
    if (patch.patch === undefined || patch.path !== undefined)
      throw new Error(`${relativePath(dir)}: only inline patches are built here`);
    const operations = parseYamlDocuments(patch.patch, `${relativePath(dir)} patch`)[0];
    if (!Array.isArray(operations))
      throw new Error(`${relativePath(dir)}: only JSON 6902 patches (a list of operations) are built here`);
    const targets = objects.filter((object) => matchesTarget(object, patch.target));
    if (targets.length === 0) throw new Error(`${relativePath(dir)}: a patch matches no object`);
    objects = objects.map((object) =>
      targets.includes(object) ? applyJsonPatch(object, operations as JsonPatchOperation[]) : object,
    );
  }
  return objects.map((object) => transform(object, kustomization));
}

interface PatchTarget {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
}

function matchesTarget(object: Manifest, target: PatchTarget | undefined): boolean {
  if (target === undefined) return false;
  const [group, version] = object.apiVersion.includes('/')
    ? (object.apiVersion.split('/') as [string, string])
    : ['', object.apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata.name) &&
    (target.namespace === undefined || target.namespace === object.metadata.namespace)
  );
}

export interface JsonPatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

/** JSON 6902's add, replace and remove on a copy of the object; other operations are refused. */
export function applyJsonPatch(object: Manifest, operations: readonly JsonPatchOperation[]): Manifest {
  const result = structuredClone(object) as unknown as Record<string, unknown>;
  for (const { op, path, value } of operations) {
    const keys = path
      .split('/')
      .slice(1)
      .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error(`patch path ${path}: the whole object`);
    let parent: unknown = result;
    for (const key of keys) {
      parent = (parent as Record<string, unknown> | undefined)?.[key];
      if (typeof parent !== 'object' || parent === null)
        throw new Error(`patch path ${path}: no ${key} in ${object.kind} ${object.metadata.name}`);
    }
    const container = parent as Record<string, unknown>;
    const index = Array.isArray(container) ? (last === '-' ? container.length : Number(last)) : undefined;
    if (op === 'remove' || op === 'replace') {
      if (!(last in container))
        throw new Error(`patch ${op} ${path}: nothing there in ${object.kind} ${object.metadata.name}`);
    }
    if (op === 'remove') {
      if (Array.isArray(container) && index !== undefined) container.splice(index, 1);
      else delete container[last];
    } else if (op === 'add' && Array.isArray(container) && index !== undefined) {
      container.splice(index, 0, value);
    } else if (op === 'add' || op === 'replace') {
      container[last] = value;
    } else throw new Error(`patch operation ${op}: not built here`);
  }
  return result as unknown as Manifest;
}

function transform(object: Manifest, kustomization: Kustomization): Manifest {
  let result: Manifest = object;
  if (kustomization.namespace !== undefined && object.kind !== 'Namespace') {
    result = { ...result, metadata: { ...result.metadata, namespace: kustomization.namespace } };
  }
  for (const { pairs, includeSelectors, includeTemplates } of kustomization.labels ?? []) {
    if (includeSelectors === true) throw new Error('labels with includeSelectors: not built here');
    result = { ...result, metadata: { ...result.metadata, labels: { ...result.metadata.labels, ...pairs } } };
    const spec = result.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined;
    if (includeTemplates === true && spec?.template !== undefined) {
      const template = {
        ...spec.template,
        metadata: { ...spec.template.metadata, labels: { ...spec.template.metadata?.labels, ...pairs } },
      };
      result = { ...result, spec: { ...spec, template } };
    }
  }
  const replicas = kustomization.replicas?.find((entry) => entry.name === object.metadata.name);
  if (replicas !== undefined && object.kind === 'Deployment') {
    result = { ...result, spec: { ...(result.spec as object), replicas: replicas.count } };
  }
  if (kustomization.images !== undefined && object.kind === 'Deployment') {
    const text = JSON.stringify(result).replace(
      /"image":"([^":]+)(?::([^"]*))?"/g,
      (whole, name: string, tag?: string) => {
        const image = kustomization.images?.find((entry) => entry.name === name);
        if (image === undefined) return whole;
        return `"image":"${image.newName ?? name}:${image.newTag ?? tag}"`;
      },
    );
    result = JSON.parse(text) as Manifest;
  }
  return result;
}

/** `NAME=value` lines, blank lines and `#` comments skipped (kustomize's envs files). */
export function parseEnvFile(text: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf('=');
    if (at <= 0) throw new Error(`not NAME=value: ${trimmed}`);
    data[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return data;
}

/** `kubectl kustomize <dir>`'s objects, or undefined when kubectl is not installed. */
export function kubectlKustomize(dir: string): Manifest[] | undefined {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined && (result.error as NodeJS.ErrnoException).code === 'ENOENT')
    return undefined;
  if (result.status !== 0) throw new Error(`kubectl kustomize ${relativePath(dir)}: ${result.stderr}`);
  return parseYamlDocuments(result.stdout, `kubectl kustomize ${relativePath(dir)}`).filter(isManifest);
}

/** The folders holding a kustomization.yaml of kind Kustomization (not the components). */
export function kustomizationDirs(): string[] {
  return yamlFiles()
    .filter(isKustomization)
    .filter((path) => (documents(path)[0] as { kind?: string }).kind === 'Kustomization')
    .map((path) => dirname(path));
}

/** The folders of deploy/k8s/components. */
export function componentDirs(): string[] {
  const dir = join(K8S_DIR, 'components');
  return readdirSync(dir)
    .map((entry) => join(dir, entry))
    .filter((path) => existsSync(join(path, 'kustomization.yaml')))
    .sort();
}

/**
 * A kustomization of these folders (resources, components) written to a new temporary folder, for
 * the checks to build combinations no overlay makes. Answers the folder: remove it afterwards.
 */
export function writeKustomization(resources: readonly string[], components: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'interco-kustomization-'));
  const list = (paths: readonly string[]) => paths.map((path) => `  - ${relative(dir, path)}`).join('\n');
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${list(resources)}\ncomponents:\n${list(components)}\n`,
  );
  return dir;
}

/** Kinds whose objects have no namespace. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * Validates an object of a built-in kind against its Kubernetes API schema (kubernetes-models).
 * Answers the error's message, undefined when valid, or `no-schema` for a kind kubernetes-models
 * does not have (a custom resource).
 */
export async function validateBuiltIn(manifest: Manifest): Promise<string | undefined | 'no-schema'> {
  const [group, version] = manifest.apiVersion.includes('/')
    ? manifest.apiVersion.split('/')
    : [undefined, manifest.apiVersion];
  const module = group === undefined ? `v1/${manifest.kind}` : `${group}/${version}/${manifest.kind}`;
  let Model: ModelClass | undefined;
  try {
    const loaded = (await import(/* @vite-ignore */ `kubernetes-models/${module}`)) as Record<
      string,
      ModelClass
    >;
    Model = loaded[manifest.kind];
  } catch {
    return 'no-schema';
  }
  if (Model === undefined) return 'no-schema';
  try {
    new Model(manifest).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
