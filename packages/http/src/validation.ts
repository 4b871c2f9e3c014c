import { type Problem, pointerToPath, registerFormats, type ValidationResult } from '@interco/contracts';
import { KindGuard, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import type { FastifySchemaCompiler } from 'fastify';

registerFormats();

/** Most problems listed in one answer. */
const MAX_PROBLEMS = 100;

/** What did not pass a route's schema: every problem with its path. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  readonly statusCode = 400;

  constructor(
    /** `body`, `params`, `querystring` or `headers`. */
    readonly part: string,
    readonly problems: readonly Problem[],
  ) {
    super(`the request ${part === 'body' ? 'body' : part} is not valid`);
  }
}

/** A validator over one part of a request: the value to use, or the problems. */
export type PartValidator = (value: unknown) => ValidationResult<unknown>;

/** A TypeBox schema as a PartValidator (every problem, one per path, in TypeBox's order). */
export function typeboxValidator(schema: TSchema): PartValidator {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return { ok: true, value };
    const problems: Problem[] = [];
    const seen = new Set<string>();
    for (const error of check.Errors(value)) {
      const path = pointerToPath(error.path);
      if (seen.has(path)) continue;
      seen.add(path);
      problems.push({ path, message: describe(error) });
      if (problems.length >= MAX_PROBLEMS) break;
    }
    return { ok: false, problems };
  };
}

/**
 * Fastify's validator compiler of the APIs: TypeBox schemas, checked with TypeBox's compiler (no
 * coercion, no removal of fields, formats as @interco/contracts registers them); a part that does
 * not pass is a RequestValidationError listing every problem with its path. A route can give its
 * own validator for a part (`custom`), e.g. the contracts' transfer request validator, whose
 * normalized value replaces the body.
 */
export function validatorCompiler(
  custom: Partial<Record<string, PartValidator>> = {},
): FastifySchemaCompiler<unknown> {
  return ({ schema, httpPart }) => {
    const part = httpPart ?? 'body';
    const validate = custom[part] ?? typeboxValidator(asTypeBox(schema, part));
    return (data: unknown) => {
      const result = validate(data ?? undefined);
      return result.ok
        ? { value: result.value }
        : { error: new RequestValidationError(part, result.problems) };
    };
  };
}

function asTypeBox(schema: unknown, part: string): TSchema {
  if (!KindGuard.IsSchema(schema)) {
    throw new Error(`the ${part} schema of a route is not a TypeBox schema: declare it with Type.*`);
  }
  return schema;
}

/** Words for a TypeBox error; never the value. */
function describe(error: ValueError): string {
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known field';
    case ValueErrorType.Object:
      return error.path === '' ? 'the body must be a JSON object' : 'must be an object';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Integer:
      return 'must be a whole number';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.ArrayUniqueItems:
      return 'must not list an entry twice';
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(error.schema.minItems)} ${error.schema.minItems === 1 ? 'entry' : 'entries'}`;
    case ValueErrorType.StringMinLength:
      return error.schema.minLength === 1
        ? 'must not be empty'
        : `must be at least ${String(error.schema.minLength)} characters`;
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(error.schema.maxLength)} characters`;
    case ValueErrorType.StringFormat:
      return error.schema.format === 'date-time'
        ? 'must be a date and time in RFC 3339 form, e.g. 2026-12-31T23:59:00Z'
        : `must be in ${String(error.schema.format)} format`;
    case ValueErrorType.Union: {
      const options = (error.schema.anyOf as unknown[] | undefined) ?? [];
      const literals = options.map((option) => (option as { const?: unknown }).const);
      return literals.every((value) => typeof value === 'string')
        ? `must be one of ${literals.join(', ')}`
        : 'is not any of the accepted forms';
    }
    case ValueErrorType.StringPattern:
      return typeof error.schema.description === 'string'
        ? `is not in the expected format (${error.schema.description})`
        : 'is not in the expected format';
    default:
      return error.message.charAt(0).toLowerCase() + error.message.slice(1);
  }
}
