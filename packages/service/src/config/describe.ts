import { KindGuard, type TSchema } from '@sinclair/typebox';

/** What a variable must be, in words, from its schema: `an integer from 0 to 65535`. */
export function expectation(schema: TSchema): string {
  if (KindGuard.IsUnion(schema)) {
    const members = schema.anyOf;
    if (members.every((member) => KindGuard.IsLiteral(member))) {
      return `one of ${members.map((member) => String(member.const)).join(', ')}`;
    }
    return members.map(expectation).join(' or ');
  }
  if (KindGuard.IsLiteral(schema)) return `exactly ${String(schema.const)}`;
  if (KindGuard.IsBoolean(schema)) return 'true or false (also 1/0, yes/no, on/off)';
  if (KindGuard.IsInteger(schema)) return `an integer${range(schema)}`;
  if (KindGuard.IsNumber(schema)) return `a number${range(schema)}`;
  if (KindGuard.IsString(schema)) {
    const parts: string[] = [];
    if (typeof schema.minLength === 'number' && schema.minLength > 0) {
      parts.push(`at least ${schema.minLength} characters`);
    }
    if (typeof schema.maxLength === 'number') parts.push(`at most ${schema.maxLength} characters`);
    if (typeof schema.format === 'string') parts.push(`in ${schema.format} format`);
    if (typeof schema.pattern === 'string') parts.push(`matching ${schema.pattern}`);
    return parts.length === 0 ? 'a string' : `a string ${parts.join(', ')}`;
  }
  return 'a valid value';
}

function range(schema: TSchema): string {
  const min = numberOrUndefined(schema.minimum);
  const max = numberOrUndefined(schema.maximum);
  const exclusiveMin = numberOrUndefined(schema.exclusiveMinimum);
  const exclusiveMax = numberOrUndefined(schema.exclusiveMaximum);
  const parts: string[] = [];
  if (min !== undefined && max !== undefined) parts.push(`from ${min} to ${max}`);
  else if (min !== undefined) parts.push(`of at least ${min}`);
  else if (max !== undefined) parts.push(`of at most ${max}`);
  if (exclusiveMin !== undefined) parts.push(`greater than ${exclusiveMin}`);
  if (exclusiveMax !== undefined) parts.push(`less than ${exclusiveMax}`);
  return parts.length === 0 ? '' : ` ${parts.join(', ')}`;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}
