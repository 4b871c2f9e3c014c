/**
 * From an InstanceConfig to what the client needs: the origin and base path of the site, the
 * credentials, the timeouts and cap. Everything that cannot work is refused here, when the
 * client is constructed, with an ErpnextConfigError that names the path and the rule (never the
 * secret, and never a base_url that could hold credentials).
 */
import { Value } from '@sinclair/typebox/value';
import { ErpnextConfigError } from '../errors/config-error.js';
import { InstanceConfig, instanceLimits, timeoutProblems } from '../instances/instance-config.schema.js';

export interface InstanceSettings {
  instanceId: string;
  /** `http(s)://host[:port]` */
  origin: string;
  /** The path the site lives under, without a trailing slash: `''` or e.g. `/erp`. */
  basePath: string;
  apiKey: string;
  apiSecret: string;
  limits: ReturnType<typeof instanceLimits>;
}

type Problem = { path: string; message: string };

export function resolveInstance(config: InstanceConfig): InstanceSettings {
  const instanceId = typeof config.id === 'string' ? config.id : '?';
  const problems: Problem[] = [];
  for (const error of Value.Errors(InstanceConfig, config)) {
    // TypeBox's messages state the rule, not the value; the base_url rule is checked below.
    if (error.path === '/base_url') continue;
    problems.push({
      path: error.path.replace(/^\//, '').replaceAll('/', '.') || '(root)',
      message: error.message,
    });
  }
  for (const key of ['api_key', 'api_secret'] as const) {
    const value: unknown = config[key];
    if (typeof value === 'string' && /[\s:]/.test(value)) {
      // Frappe splits the header on spaces and the token on ":": such a value can never log in.
      problems.push({ path: key, message: 'must not contain whitespace or ":"' });
    }
  }
  problems.push(...timeoutProblems(config));
  const url = checkBaseUrl(config.base_url, problems);
  if (problems.length > 0 || url === undefined) throw new ErpnextConfigError(instanceId, problems);
  return {
    instanceId,
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    apiKey: config.api_key,
    apiSecret: config.api_secret,
    limits: instanceLimits(config),
  };
}

const URL_RULE = 'expected http(s)://host[:port][/path]';

function checkBaseUrl(value: unknown, problems: Problem[]): URL | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ path: 'base_url', message: `is required (${URL_RULE})` });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    problems.push({ path: 'base_url', message: `is not a valid URL (${URL_RULE})` });
    return undefined;
  }
  const before = problems.length;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({ path: 'base_url', message: `must use http or https, not ${url.protocol} (${URL_RULE})` });
  }
  if (url.username !== '' || url.password !== '') {
    problems.push({
      path: 'base_url',
      message: 'must not contain credentials (the API key and secret go in api_key and api_secret)',
    });
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push({ path: 'base_url', message: `must not have a query or fragment (${URL_RULE})` });
  }
  if (url.hostname === '') problems.push({ path: 'base_url', message: `has no host (${URL_RULE})` });
  return problems.length === before ? url : undefined;
}
