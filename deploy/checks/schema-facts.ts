/**
 * What deploy/'s checks need to know of a configuration schema: its variables, which of them a
 * deployment must set (no default and not optional), and whether literal values pass the schema
 * (converted the way the service converts them, with @interco/service's loadConfig).
 */
import {
  type ConfigProblem,
  expectation,
  isConfigError,
  isSecretVariable,
  loadConfig,
} from '@interco/service';
import { KindGuard, type TObject, type TSchema } from '@sinclair/typebox';

export interface VariableFacts {
  readonly name: string;
  readonly schema: TSchema;
  /** Set neither by a default nor optional: the service does not start without it. */
  readonly required: boolean;
  readonly default: unknown;
  readonly description: string | undefined;
  /** What values are accepted, in words (`expectation()` of @interco/service). */
  readonly accepts: string;
  /** Its value is never shown (the name says KEY, SECRET, TOKEN, PASSWORD...). */
  readonly secret: boolean;
}

export function variablesOf(schema: TObject): VariableFacts[] {
  return Object.entries(schema.properties).map(([name, property]: [string, TSchema]) => ({
    name,
    schema: property,
    required: property.default === undefined && !KindGuard.IsOptional(property),
    default: property.default,
    description: typeof property.description === 'string' ? property.description : undefined,
    accepts: expectation(property),
    secret: isSecretVariable(name),
  }));
}

export function requiredVariables(schema: TObject): string[] {
  return variablesOf(schema)
    .filter((variable) => variable.required)
    .map((variable) => variable.name);
}

/** The variables of `names` the schema does not have (a typo, or a variable of another service). */
export function unknownVariables(schema: TObject, names: Iterable<string>): string[] {
  return [...names].filter((name) => !(name in schema.properties));
}

/**
 * The problems the service would report for these literal values (only theirs: variables left
 * out are not reported here).
 */
export function literalProblems(
  schema: TObject,
  literals: Readonly<Record<string, string>>,
): ConfigProblem[] {
  try {
    loadConfig(schema, literals);
    return [];
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return error.problems.filter((problem) => problem.variable in literals);
  }
}
