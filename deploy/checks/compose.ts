/** docker-compose.yml as the checks read it: YAML with merge keys resolved, as compose does. */
import { parse } from 'yaml';
import { composeValue, type EnvSettings, type EnvValue } from './environment.js';
import { readRepoFile } from './repo.js';

export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context?: string; readonly dockerfile?: string; readonly target?: string };
  readonly command?: string | readonly string[];
  readonly environment?: Readonly<Record<string, unknown>> | readonly string[];
  readonly ports?: readonly (
    | string
    | number
    | { readonly target?: number; readonly published?: unknown; readonly host_ip?: string }
  )[];
  readonly healthcheck?: { readonly test?: string | readonly string[] };
  readonly depends_on?: readonly string[] | Readonly<Record<string, { readonly condition?: string }>>;
  readonly restart?: string;
  readonly init?: boolean;
  readonly stop_grace_period?: string;
  readonly profiles?: readonly string[];
  readonly volumes?: readonly string[];
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

export function loadCompose(path = 'docker-compose.yml'): ComposeFile {
  return parse(readRepoFile(path), { merge: true }) as ComposeFile;
}

/** A service's environment, whether written as a map or as a list of `NAME=value`. */
export function composeEnvironment(service: ComposeService): EnvSettings {
  const entries: [string, unknown][] = Array.isArray(service.environment)
    ? service.environment.map((line: string) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, `\${${line}}`] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(service.environment ?? {});
  return new Map<string, EnvValue>(entries.map(([name, raw]) => [name, composeValue(raw)]));
}

/** The health check's command as one string (`CMD` and `CMD-SHELL` forms alike). */
export function healthcheckCommand(service: ComposeService): string {
  const test = service.healthcheck?.test;
  if (test === undefined) return '';
  return typeof test === 'string' ? test : test.join(' ');
}

/** The URL a health check calls, when it calls one on the loopback address. */
export function healthcheckUrl(command: string): URL | undefined {
  const match = /https?:\/\/(?:127\.0\.0\.1|localhost)(?::\d+)?\/[^\s'")]*/.exec(command);
  return match === null ? undefined : new URL(match[0]);
}

/** The condition a service waits for on another (undefined: it does not wait for it). */
export function dependsOnCondition(service: ComposeService, other: string): string | undefined {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return undefined;
  if (Array.isArray(dependsOn)) return dependsOn.includes(other) ? 'service_started' : undefined;
  return (dependsOn as Readonly<Record<string, { condition?: string }>>)[other]?.condition ?? undefined;
}

/** The container ports a service publishes. */
export function containerPorts(service: ComposeService): number[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.target);
    const text = String(port).replace(/\/(tcp|udp)$/, '');
    return Number(text.split(':').at(-1));
  });
}

/** A published port: the host address it listens on (undefined: every interface), the container port. */
export interface PublishedPort {
  readonly hostIp: string | undefined;
  readonly target: number;
}

/** The ports a service publishes, in the short (`[IP:][HOST:]CONTAINER[/proto]`) or long syntax. */
export function publishedPorts(service: ComposeService): PublishedPort[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      const hostIp = port.host_ip === undefined || port.host_ip === '' ? undefined : port.host_ip;
      return { hostIp, target: Number(port.target) };
    }
    const text = String(port).replace(/\/(tcp|udp|sctp)$/, '');
    // An IPv6 address in brackets, else an IPv4 address or a name before the two port parts.
    const match = /^(?:(\[[^\]]+\]|[^:]+):)?(?:([^:]*):)?([^:]+)$/.exec(text);
    if (match === null) throw new Error(`not a port mapping: ${port}`);
    const [, first, second, target = ''] = match;
    // "HOST:CONTAINER": the first part is the host port; "IP:HOST:CONTAINER": an address.
    const hostIp = second === undefined ? undefined : first === '' ? undefined : first;
    return { hostIp, target: Number(target) };
  });
}

/** Whether an address is the loopback interface (127.0.0.0/8 or ::1). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return (
    /^127\.\d+\.\d+\.\d+$/.test(address) ||
    address === '[::1]' ||
    address === '::1' ||
    address === 'localhost'
  );
}

export function commandArgs(service: ComposeService): string[] {
  const command = service.command;
  if (command === undefined) return [];
  return typeof command === 'string' ? command.split(/\s+/) : [...command];
}

/** Compose's durations (`45s`, `1m30s`, `500ms`) in seconds. */
export function durationSeconds(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const parts = [...String(text).matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== String(text)) return Number.NaN;
  const unit = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 } as const;
  return parts.reduce((sum, part) => sum + Number(part[1]) * unit[part[2] as keyof typeof unit], 0);
}
