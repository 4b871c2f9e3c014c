import { invalidRequest } from '@interco/http';
import { BAD_CURSOR_MESSAGE } from '../queries/cursor.js';

/** 400 naming one query parameter, in the words of the chassis' validation. */
export function badQueryParameter(name: string, message: string) {
  return invalidRequest(
    [{ path: name, message }],
    'the query string is not valid: see problems (each names its path)',
  );
}

/** 400 for a cursor this API did not make. */
export function badCursor() {
  return badQueryParameter('cursor', BAD_CURSOR_MESSAGE);
}

/** 400 naming one request header, in the words of the chassis' validation. */
export function badHeader(name: string, message: string) {
  return invalidRequest(
    [{ path: name, message }],
    'the request headers are not valid: see problems (each names its path)',
  );
}
