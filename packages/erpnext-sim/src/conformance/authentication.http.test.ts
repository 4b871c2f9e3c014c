import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companyASetup } from '../test-support/master-data.js';
import { serverMessages, TestSite } from '../test-support/sim-client.js';

// docs/frappe-facts.md §4 (frappe/auth.py validate_auth, validate_auth_via_api_keys)
describe('authentication', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await TestSite.start(companyASetup());
  });
  afterAll(() => site.close());

  const whoAmI = (authorization: string | undefined) =>
    site.as(authorization).get('/api/method/frappe.auth.get_logged_user');

  it('accepts "token key:secret" and answers the API user', async () => {
    const answer = await whoAmI('token key-a:secret-a');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ message: 'interco@a.test' });
  });

  it('accepts Basic base64(key:secret), the scheme in any case', async () => {
    const basic = Buffer.from('key-a:secret-a').toString('base64');
    expect((await whoAmI(`Basic ${basic}`)).body).toEqual({ message: 'interco@a.test' });
    expect((await whoAmI(`TOKEN key-a:secret-a`)).body).toEqual({ message: 'interco@a.test' });
  });

  it.each([
    ['a wrong secret', 'token key-a:wrong'],
    ['an unknown key', 'token nobody:secret-a'],
    ['a token without a colon', 'token key-a'],
    ['a Bearer token', 'Bearer abc'],
    ['basic with a wrong secret', `Basic ${Buffer.from('key-a:nope').toString('base64')}`],
  ])('answers 401 AuthenticationError, with no message and no traceback, for %s', async (_, header) => {
    const answer = await whoAmI(header);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ exc_type: 'AuthenticationError' });
  });

  it('answers 400 InvalidAuthorizationToken for bad base64', async () => {
    const answer = await whoAmI('Basic %%%notbase64');
    expect(answer.status).toBe(400);
    expect(answer.body.exc_type).toBe('InvalidAuthorizationToken');
    expect(serverMessages(answer)).toEqual([
      'Failed to decode token, please provide a valid base64-encoded token.',
    ]);
  });

  it('runs a malformed header (not two words) as Guest: resource calls get 403', async () => {
    for (const header of [undefined, 'token key-a:secret-a extra', 'token  key-a:secret-a']) {
      const answer = await site.as(header).get('/api/resource/Company');
      expect(answer.status).toBe(403);
      expect(answer.body.exc_type).toBe('PermissionError');
      expect(answer.body.exception).toBeUndefined();
    }
  });

  it('tells Guest which doctype it may not list (bold), and which document it may not read (plain)', async () => {
    const list = await site.as(undefined).get('/api/resource/Company');
    expect(list.status).toBe(403);
    expect(list.body.exc_type).toBe('PermissionError');
    expect(list.body._error_message).toBe('Insufficient Permission for <strong>Company</strong>');
    expect(list.body._server_messages).toBeUndefined();
    const doc = await site.as(undefined).get('/api/resource/Company/Compania A');
    expect(doc.status).toBe(403);
    expect(doc.body._error_message).toBe('Insufficient Permission for Company');
  });

  it('refuses Guest on a method that is not allow_guest (403, not whitelisted)', async () => {
    const answer = await whoAmI(undefined);
    expect(answer.status).toBe(403);
    expect(answer.body.exc_type).toBe('PermissionError');
    expect(serverMessages(answer)[0]).toContain('is not whitelisted');
  });
});
