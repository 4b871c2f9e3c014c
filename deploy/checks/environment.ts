/**
 * Environment variables as a deployment file sets them: a literal, or taken from where the
 * deployment runs (compose's `${VAR}`, `${VAR:?message}`, `${VAR:-default}`; Kubernetes' Secret
 * references). The checks compare them with a service's configuration schema.
 */
import type { TObject } from '@sinclair/typebox';
import { literalProblems, requiredVariables, unknownVariables } from './schema-facts.js';

export type EnvValue =
  /** Written in the file. */
  | { readonly kind: 'literal'; readonly value: string }
  /**
   * Given by whoever runs it. `mandatory`: it refuses to start when the value is missing or empty
   * (compose's `${VAR:?message}`, a Secret key not optional). `fallback`: used when they give none,
   * and also when they give an empty value unless `emptyPasses` (compose's `${VAR-default}` and
   * `${VAR?message}`, without the colon, let an empty value through).
   */
  | {
      readonly kind: 'external';
      readonly from: string;
      readonly fallback?: string;
      readonly mandatory: boolean;
      readonly emptyPasses?: boolean;
    };

export type EnvSettings = ReadonlyMap<string, EnvValue>;

const INTERPOLATION = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])(.*))?\}$/s;

/** A compose environment value: `${VAR...}` is external, anything else a literal. */
export function composeValue(raw: unknown): EnvValue {
  const text = raw === null || raw === undefined ? '' : String(raw);
  const match = INTERPOLATION.exec(text);
  if (match === null) {
    if (text.includes('${')) throw new Error(`partly interpolated value is not supported here: ${text}`);
    return { kind: 'literal', value: text };
  }
  const [, from = '', operator, rest] = match;
  switch (operator) {
    case ':-':
      return { kind: 'external', from, fallback: rest ?? '', mandatory: false };
    case '-':
      return { kind: 'external', from, fallback: rest ?? '', mandatory: false, emptyPasses: true };
    case ':?':
      return { kind: 'external', from, mandatory: true };
    case '?':
      return { kind: 'external', from, mandatory: false, emptyPasses: true };
    default:
      return { kind: 'external', from, mandatory: false };
  }
}

/**
 * Whether a required variable set this way can be missing or empty when the service starts (an
 * empty value counts as unset there): only a non-empty literal, a mandatory external value or one
 * with a non-empty fallback that also covers an empty value are sure to give it a value.
 */
export function maybeMissing(value: EnvValue): boolean {
  if (value.kind === 'literal') return value.value === '';
  if (value.mandatory) return false;
  return value.fallback === undefined || value.fallback === '' || value.emptyPasses === true;
}

/** What is wrong with these settings for a service with this schema (empty: nothing). */
export function envProblems(schema: TObject, settings: EnvSettings): string[] {
  const problems: string[] = [];
  for (const name of unknownVariables(schema, settings.keys())) {
    problems.push(`${name} is not a variable of the service (a typo, or another service's)`);
  }
  for (const name of requiredVariables(schema)) {
    const value = settings.get(name);
    if (value === undefined) problems.push(`${name} is required and not set`);
    else if (maybeMissing(value)) {
      problems.push(
        `${name} is required: its value must not be allowed to be missing or empty (a non-empty literal, \${VAR:?message} or a non-empty \${VAR:-default})`,
      );
    }
  }
  const literals: Record<string, string> = {};
  for (const [name, value] of settings) {
    if (!(name in schema.properties)) continue;
    if (value.kind === 'literal') literals[name] = value.value;
    else if (value.fallback !== undefined && value.fallback !== '') literals[name] = value.fallback;
  }
  for (const problem of literalProblems(schema, literals)) {
    problems.push(`${problem.variable} ${problem.message}`);
  }
  return problems;
}

/** The port the service listens on with these settings: PORT's literal, else the schema's default. */
export function effectivePort(schema: TObject, settings: EnvSettings): number | undefined {
  const port = settings.get('PORT');
  if (port?.kind === 'literal') return Number(port.value);
  if (port?.kind === 'external') return port.fallback === undefined ? undefined : Number(port.fallback);
  const fallback = schema.properties.PORT?.default;
  return typeof fallback === 'number' ? fallback : undefined;
}
