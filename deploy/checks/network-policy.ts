/**
 * What NetworkPolicies let through, as Kubernetes decides it for ingress: a pod selected by no
 * policy with type Ingress takes everything; a selected pod takes only what one of those policies'
 * rules admits (a rule with no `from` admits every source, one with no `ports` every port).
 */
import type { Manifest } from './k8s.js';

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string };
}

export interface NetworkPolicySpec {
  readonly podSelector: LabelSelector;
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly {
    readonly from?: readonly PolicyPeer[];
    readonly ports?: readonly { readonly port?: string | number; readonly protocol?: string }[];
  }[];
}

/** A pod as the policies see it: its namespace, its labels, its namespace's labels. */
export interface Pod {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Its named container ports (a policy may name a port). */
  readonly namedPorts?: Readonly<Record<string, number>>;
}

/** Whether a label selector selects these labels (an empty selector selects everything). */
export function selects(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = labels[key];
    const ok =
      operator === 'In'
        ? value !== undefined && values.includes(value)
        : operator === 'NotIn'
          ? value === undefined || !values.includes(value)
          : operator === 'Exists'
            ? value !== undefined
            : value === undefined;
    if (!ok) return false;
  }
  return true;
}

function isIngressPolicy(spec: NetworkPolicySpec): boolean {
  return spec.policyTypes === undefined ? true : spec.policyTypes.includes('Ingress');
}

/** The NetworkPolicies with type Ingress that select this pod. */
export function ingressPoliciesOf(policies: readonly Manifest[], pod: Pod): Manifest[] {
  return policies.filter((policy) => {
    const spec = policy.spec as NetworkPolicySpec;
    return (
      policy.kind === 'NetworkPolicy' &&
      (policy.metadata.namespace ?? 'default') === pod.namespace &&
      isIngressPolicy(spec) &&
      selects(spec.podSelector, pod.labels)
    );
  });
}

function peerMatches(peer: PolicyPeer, policyNamespace: string, source: Pod): boolean {
  if (peer.ipBlock !== undefined) return false;
  const namespaceLabels = source.namespaceLabels ?? { 'kubernetes.io/metadata.name': source.namespace };
  const inNamespace =
    peer.namespaceSelector === undefined
      ? source.namespace === policyNamespace
      : selects(peer.namespaceSelector, namespaceLabels);
  const podOk = peer.podSelector === undefined ? true : selects(peer.podSelector, source.labels);
  return inNamespace && podOk;
}

/** Whether the policies let `source` reach `target` on this TCP port. */
export function admits(policies: readonly Manifest[], source: Pod, target: Pod, port: number): boolean {
  const selecting = ingressPoliciesOf(policies, target);
  if (selecting.length === 0) return true;
  return selecting.some((policy) => {
    const spec = policy.spec as NetworkPolicySpec;
    return (spec.ingress ?? []).some((rule) => {
      const fromOk =
        rule.from === undefined ||
        rule.from.length === 0 ||
        rule.from.some((peer) => peerMatches(peer, policy.metadata.namespace ?? 'default', source));
      const portOk =
        rule.ports === undefined ||
        rule.ports.length === 0 ||
        rule.ports.some(
          (entry) =>
            (entry.protocol ?? 'TCP') === 'TCP' &&
            (entry.port === undefined ||
              entry.port === port ||
              (typeof entry.port === 'string' && target.namedPorts?.[entry.port] === port)),
        );
      return fromOk && portOk;
    });
  });
}
