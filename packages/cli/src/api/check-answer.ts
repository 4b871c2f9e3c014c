import { pointerToPath } from '@interco/contracts';
import type { Static, TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { CliFailure } from '../failure.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerOf<T extends TSchema>(schema: T): TypeCheck<T> {
  let check = compiled.get(schema);
  if (check === undefined) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
}

/** Whether a value fits a schema. */
export function fits<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return checkerOf(schema).Check(value);
}

/** Where a value fails a schema: at most `max` paths with TypeBox's messages (never the values). */
export function answerProblems(schema: TSchema, value: unknown, max = 5): string[] {
  const out: string[] = [];
  for (const error of checkerOf(schema).Errors(value)) {
    out.push(`${pointerToPath(error.path) || '(the whole answer)'}: ${error.message}`);
    if (out.length >= max) break;
  }
  return out;
}

/**
 * The answer checked against what the CLI reads of it; an answer that does not fit is an
 * `unexpected` failure naming where (e.g. a service of another version, or not Interco at all).
 */
export function checkAnswer<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  if (checkerOf(schema).Check(value)) return value;
  const problems = answerProblems(schema, value);
  throw new CliFailure(
    'unexpected',
    `${what} is not an answer this CLI understands (${problems.join('; ')}): is the URL right, and are the CLI and the service of the same version?`,
  );
}
