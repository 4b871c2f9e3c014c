import type { ApiUser } from '../frappe/context.js';
import { FrappeError, frappeRaise, frappeThrow } from '../frappe/errors.js';
import type { Site } from '../sites/site.js';

/** The Guest user: what a request without usable credentials runs as. */
export const GUEST: ApiUser = { email: 'Guest', apiKey: '', apiSecret: '' };

/**
 * frappe/auth.py validate_auth: the Authorization header counts only when it splits on " " into
 * exactly two parts; then it must be `token <key>:<secret>` or `Basic base64(key:secret)` of an
 * enabled user, or the request fails with AuthenticationError (401, no message): a wrong secret,
 * an unknown key, `token abc`, `Bearer xyz` alike. Bad base64 is InvalidAuthorizationToken (400).
 * A header of any other shape (no header, three words, a double space) runs the request as Guest.
 */
export function authenticate(site: Site, header: string | undefined): ApiUser {
  if (header === undefined) return GUEST;
  const parts = header.split(' ');
  if (parts.length !== 2) return GUEST;
  const [scheme = '', credentials = ''] = parts;
  let pair: string | undefined;
  if (scheme.toLowerCase() === 'token') pair = credentials;
  else if (scheme.toLowerCase() === 'basic') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(credentials) || credentials.length % 4 !== 0) {
      frappeThrow(
        'Failed to decode token, please provide a valid base64-encoded token.',
        'InvalidAuthorizationToken',
      );
    }
    pair = Buffer.from(credentials, 'base64').toString('utf8');
  }
  const fields = pair?.split(':') ?? [];
  const [apiKey = '', apiSecret = ''] = fields;
  const user = fields.length === 2 ? site.userByKey(apiKey) : undefined;
  if (user === undefined || user.apiSecret !== apiSecret) frappeRaise('AuthenticationError', '');
  return user;
}

/**
 * Resource calls need a logged-in user: Guest has no read permission, so PermissionError (403)
 * with `_error_message` and no message. A list (frappe/model/db_query.py check_read_permission)
 * bolds the doctype, `Insufficient Permission for <strong>{doctype}</strong>`; a document
 * (document.py raise_no_permission_to) names it plainly.
 */
export function requireUser(user: ApiUser, doctype = '', list = false): void {
  if (user === GUEST) {
    if (list) {
      throw new FrappeError(
        'PermissionError',
        doctype,
        [],
        `Insufficient Permission for <strong>${doctype}</strong>`,
      );
    }
    throw new FrappeError('PermissionError', '', [], `Insufficient Permission for ${doctype}`.trim());
  }
}
