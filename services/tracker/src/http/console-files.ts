import { stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Where the console's files are on disk (CONSOLE_PUBLIC_URL / CONSOLE_SCRIPTS_URL of @interco/console). */
export interface ConsoleDirs {
  /** `public/`: index.html, styles, images. */
  readonly publicDir: string;
  /** `dist/`: the compiled browser modules (`*.js`, `*.js.map`). */
  readonly scriptsDir: string;
}

/** The content types served, by extension; any other file is not served (404). */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** One path segment of a console file: letters, digits, `.`, `_`, `-`, not starting with a dot. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** A file of the console to serve: where it is and its content type. */
export interface ConsoleFile {
  readonly path: string;
  readonly dir: string;
  readonly contentType: string;
}

/**
 * The file a request path (below `/console/`, already percent-decoded) names, or undefined when
 * it names none the console may serve: an empty, `.` or `..` segment, a backslash, a hidden file,
 * an absolute path or a type not in the list are all refused before the disk is touched.
 * `*.js` and `*.js.map` come from the scripts, anything else from public.
 */
export function resolveConsoleFile(dirs: ConsoleDirs, relative: string): ConsoleFile | undefined {
  if (relative.length === 0 || relative.length > 512) return undefined;
  const segments = relative.split('/');
  if (!segments.every((segment) => SEGMENT.test(segment) && !segment.includes('..'))) return undefined;
  const name = segments.at(-1) ?? '';
  const extension = name.slice(name.lastIndexOf('.'));
  const contentType = name.includes('.') ? CONTENT_TYPES[extension] : undefined;
  if (contentType === undefined) return undefined;
  const script = name.endsWith('.js') || name.endsWith('.js.map');
  const dir = script ? dirs.scriptsDir : dirs.publicDir;
  const path = join(dir, ...segments);
  // Belt and braces: the segments were checked, the joined path must still be inside `dir`.
  if (!path.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
  return { path, dir, contentType };
}

/** What a file's place on disk is: a file (its size and modification time), or nothing there. */
export type FileState =
  | { readonly kind: 'file'; readonly size: number; readonly mtimeMs: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'dir_missing' };

/**
 * Whether `file` is there; `dir_missing` when its folder itself is not (the console was not
 * built), so the caller can answer 503 instead of 404. A directory is `missing` (no listing).
 */
export async function fileState(file: Pick<ConsoleFile, 'path' | 'dir'>): Promise<FileState> {
  const found = await stat(file.path).catch(() => undefined);
  if (found?.isFile()) return { kind: 'file', size: found.size, mtimeMs: found.mtimeMs };
  const dir = await stat(file.dir).catch(() => undefined);
  return dir?.isDirectory() ? { kind: 'missing' } : { kind: 'dir_missing' };
}

/** A weak validator of a file's version (size and modification time). */
export function etagOf(state: { readonly size: number; readonly mtimeMs: number }): string {
  return `W/"${state.size.toString(16)}-${Math.floor(state.mtimeMs).toString(16)}"`;
}
