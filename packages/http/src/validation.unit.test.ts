import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { typeboxValidator, validatorCompiler } from './validation.js';

describe('typeboxValidator', () => {
  const validate = typeboxValidator(
    Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 5 }),
        kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
        tags: Type.Optional(Type.Array(Type.String(), { minItems: 1, uniqueItems: true })),
        at: Type.Optional(Type.String({ format: 'date-time' })),
        count: Type.Optional(Type.Integer()),
      },
      { additionalProperties: false },
    ),
  );

  it('passes a valid value through', () => {
    expect(validate({ name: 'x', kind: 'a' })).toEqual({ ok: true, value: { name: 'x', kind: 'a' } });
  });

  it('lists every problem, one per path, in words', () => {
    expect(validate({ name: '', kind: 'c', tags: ['x', 'x'], at: 'soon', count: 1.5, more: 1 })).toEqual({
      ok: false,
      problems: [
        { path: 'more', message: 'is not a known field' },
        { path: 'name', message: 'must not be empty' },
        { path: 'kind', message: 'must be one of a, b' },
        { path: 'tags', message: 'must not list an entry twice' },
        { path: 'at', message: 'must be a date and time in RFC 3339 form, e.g. 2026-12-31T23:59:00Z' },
        { path: 'count', message: 'must be a whole number' },
      ],
    });
    expect(validate(undefined)).toEqual({
      ok: false,
      problems: [{ path: '', message: 'the body must be a JSON object' }],
    });
    expect(validate({})).toMatchObject({
      ok: false,
      problems: [
        { path: 'name', message: 'is required' },
        { path: 'kind', message: 'is required' },
      ],
    });
  });
});

describe('validatorCompiler', () => {
  it('refuses a schema that is not TypeBox', () => {
    const compile = validatorCompiler();
    expect(() =>
      compile({ schema: { type: 'object' }, httpPart: 'body', method: 'POST', url: '/x' }),
    ).toThrow('the body schema of a route is not a TypeBox schema');
  });
});
