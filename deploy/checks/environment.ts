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
  /** Given by whoever runs it; `fallback` is used when they give none. */
  | {
      readonly kind: 'external';
      readonly from: string;
      readonly fallback?: string;
      readonly mandatory: boolean;
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
  if (operator?.endsWith('-')) return { kind: 'external', from, fallback: rest ?? '', mandatory: false };
  return { kind: 'external', from, mandatory: operator?.endsWith('?') ?? false };
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
    else if (value.kind === 'external' && !value.mandatory && value.fallback === undefined) {
      problems.push(`${name} is required: its value must not be allowed to be missing`);
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
