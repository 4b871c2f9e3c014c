import { type Static, Type } from '@sinclair/typebox';

/** One thing wrong with a request: where (e.g. `items[2].serials[5]`) and what. */
export const Problem = Type.Object(
  {
    path: Type.String({
      description: 'where: a field path such as items[2].serials[5]; empty for the whole body',
    }),
    message: Type.String({ description: 'what is wrong, in words a person can act on' }),
  },
  { additionalProperties: false },
);
export type Problem = Static<typeof Problem>;

/** Either the checked value, or every problem found. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

export type PathSegment = string | number;

/** `['items', 2, 'serials', 5]` -> `items[2].serials[5]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** A JSON pointer (`/items/2/serials/5`, as TypeBox reports) -> `items[2].serials[5]`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  const segments = pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s): PathSegment => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
  return formatPath(segments);
}

/**
 * Collects problems, at most one per path (the first found), up to a cap: a request with
 * 100,000 bad serials gets a readable answer, and a last problem saying how many were left out.
 */
export class ProblemList {
  readonly #byPath = new Map<string, string>();
  #omitted = 0;

  constructor(readonly cap: number = 1000) {}

  add(path: string, message: string): void {
    if (this.#byPath.has(path)) return;
    if (this.#byPath.size >= this.cap) {
      this.#omitted++;
      return;
    }
    this.#byPath.set(path, message);
  }

  get size(): number {
    return this.#byPath.size + this.#omitted;
  }

  /** The problems (optionally ordered), then a note of how many were left out, if any. */
  toArray(order: (problems: Problem[]) => Problem[] = (problems) => problems): Problem[] {
    const list = order([...this.#byPath].map(([path, message]) => ({ path, message })));
    if (this.#omitted > 0) {
      list.push({ path: '', message: `${this.#omitted} more problems not listed (fix these first)` });
    }
    return list;
  }
}
