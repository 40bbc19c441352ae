// Accounts end to end: registering, signing in and out (forms and API), sessions, CSRF.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  apiMember,
  askApi,
  assertApiError,
  assertHtml,
  fieldValue,
  formMember,
  kPassword,
  sessionToken,
  startForum,
  uniqueName,
  visibleText,
} from './harness.mjs';

let forum;
before(async () => {
  forum = await startForum();
});
after(async () => {
  await forum?.server.stop();
});

// Signed in means the ask form is offered; a visitor is sent to sign in (or told to).
async function isSignedIn(client) {
  const response = await client.get('/new');
  return response.status === 200 && /name="title"/.test(response.text);
}

describe('registering through the form', () => {
  test('signs the new member in with an HttpOnly, SameSite=Lax session cookie', async () => {
    const client = forum.server.client();
    const form = await client.get('/register');
    assertHtml(form, 200);
    assert.ok(fieldValue(form.text, '_csrf'), 'the register form carries a _csrf field');
    const username = uniqueName('reg');
    const response = await client.postForm('/register', { username, password: kPassword, email: 'reg@example.org' });
    assert.equal(response.status, 303, visibleText(response.text).slice(0, 300));
    if (!client.signedInCookie()) {
      const login = await client.postForm('/login', { username, password: kPassword });
      assert.equal(login.status, 303);
    }
    const cookie = client.setCookies.filter((c) => c.name === 'kindred_session').at(-1);
    assert.ok(cookie, 'a kindred_session cookie is set');
    assert.ok(cookie.attributes.httponly, 'session cookie is HttpOnly');
    assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'lax', 'session cookie is SameSite=Lax');
    assert.ok(!cookie.attributes.secure, 'no Secure flag over plain HTTP on loopback');
    assert.ok(cookie.value.length >= 43, 'a 256-bit token is at least 43 base64 / 64 hex characters');
    assert.ok(await isSignedIn(client));
    const profile = await client.get(`/u/${username}`);
    assertHtml(profile, 200);
    assert.ok(visibleText(profile.text).includes(username));
  });

  test('a rejected registration keeps what was typed (but not the password) and names the field', async () => {
    const client = forum.server.client();
    await client.get('/register');
    const response = await client.postForm('/register', { username: 'a b', password: kPassword, email: 'kept@example.org' });
    assert.equal(response.status, 422);
    assert.equal(fieldValue(response.text, 'username'), 'a b', 'username kept');
    assert.equal(fieldValue(response.text, 'email'), 'kept@example.org', 'email kept');
    assert.ok(!response.text.includes(kPassword), 'the password is never echoed back');
    assert.ok(!client.signedInCookie());
  });

  test('a short password is refused naming the password field', async () => {
    const client = forum.server.client();
    const username = uniqueName('shortpw');
    await client.get('/register');
    const response = await client.postForm('/register', { username, password: '123456789', email: '' });
    assert.equal(response.status, 422);
    assert.equal(fieldValue(response.text, 'username'), username);
    const api = await client.api('POST', '/api/v1/users', { username, password: '123456789' });
    const error = assertApiError(api, 422, { field: 'password' });
    assert.ok(visibleText(response.text).includes(error.message), 'the page shows the same calm message');
  });

  test('a name taken in another case is refused, and the form comes back filled', async () => {
    const member = await apiMember(forum.server, 'Taken');
    const client = forum.server.client();
    await client.get('/register');
    const response = await client.postForm('/register', { username: member.username.toUpperCase(), password: kPassword, email: '' });
    assert.ok([409, 422].includes(response.status), `status ${response.status}`);
    assert.equal(fieldValue(response.text, 'username'), member.username.toUpperCase());
  });
});

describe('registering through the API', () => {
  test('201 {user:{id, username}}; the email is optional', async () => {
    const client = forum.server.client();
    const username = uniqueName('api');
    const response = await client.api('POST', '/api/v1/users', { username, password: kPassword });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.json.user.username, username);
    assert.ok(response.json.user.id, 'an id');
    assert.ok(!('password_hash' in response.json.user) && !response.text.includes('argon2'), 'no hash leaks');
    const withEmail = await client.api('POST', '/api/v1/users', { username: uniqueName('mail'), password: kPassword, email: 'x@example.org' });
    assert.equal(withEmail.status, 201, withEmail.text);
  });

  test('username boundaries: 2 and 31 characters are refused, 3 and 30 accepted', async () => {
    const client = forum.server.client();
    const stem = uniqueName('b').replace(/_/g, '').slice(0, 10).padEnd(10, 'x');
    for (const [username, ok] of [
      [stem.slice(0, 2), false],
      [`${stem.slice(0, 1)}${Math.random().toString(36).slice(2, 4)}`, true],
      [stem.padEnd(30, 'z'), true],
      [stem.padEnd(31, 'y'), false],
    ]) {
      const response = await client.api('POST', '/api/v1/users', { username, password: kPassword });
      if (ok) assert.equal(response.status, 201, `${username} (${username.length}): ${response.text}`);
      else assertApiError(response, 422, { field: 'username' });
    }
  });

  test('bad characters, short passwords, bad emails and duplicates are refused with the field', async () => {
    const client = forum.server.client();
    assertApiError(await client.api('POST', '/api/v1/users', { username: 'has space', password: kPassword }), 422, { field: 'username' });
    assertApiError(await client.api('POST', '/api/v1/users', { username: '<script>', password: kPassword }), 422, { field: 'username' });
    assertApiError(await client.api('POST', '/api/v1/users', { username: uniqueName('pw'), password: '123456789' }), 422, { field: 'password' });
    const ten = await client.api('POST', '/api/v1/users', { username: uniqueName('pw'), password: '1234567890' });
    assert.equal(ten.status, 201, 'a 10-character password is enough');
    assertApiError(await client.api('POST', '/api/v1/users', { username: uniqueName('em'), password: kPassword, email: 'not-an-email' }), 422, { field: 'email' });
    const member = await apiMember(forum.server, 'dup');
    const duplicate = await client.api('POST', '/api/v1/users', { username: member.username.toUpperCase(), password: kPassword });
    assert.ok([409, 422].includes(duplicate.status), `duplicate ignoring case: ${duplicate.status}`);
    assertApiError(duplicate, duplicate.status, { field: 'username' });
  });

  test('a missing field or a wrong type is a 400 or 422 naming the field', async () => {
    const client = forum.server.client();
    const missing = await client.api('POST', '/api/v1/users', { password: kPassword });
    assert.ok([400, 422].includes(missing.status), `missing username: ${missing.status}`);
    assertApiError(missing, missing.status, { field: 'username' });
    const wrongType = await client.api('POST', '/api/v1/users', { username: 12345, password: kPassword });
    assertApiError(wrongType, 400, { field: 'username' });
  });
});

describe('signing in and out', () => {
  test('the login form signs in; a wrong password keeps the username and says so calmly', async () => {
    const member = await apiMember(forum.server, 'login');
    const client = forum.server.client();
    const page = await client.get('/login');
    assertHtml(page, 200);
    const wrong = await client.postForm('/login', { username: member.username, password: 'not the password at all' });
    assert.ok([401, 422].includes(wrong.status), `wrong password: ${wrong.status}`);
    assert.match(wrong.headers['content-type'], /text\/html/);
    assert.equal(fieldValue(wrong.text, 'username'), member.username, 'username kept');
    assert.ok(!wrong.text.includes('not the password at all'), 'the password is not echoed');
    assert.ok(!client.signedInCookie());
    assert.ok(!(await isSignedIn(client)));

    const right = await client.postForm('/login', { username: member.username, password: kPassword });
    assert.equal(right.status, 303);
    assert.ok(client.signedInCookie());
    assert.ok(await isSignedIn(client));
  });

  test('after signing in, "next" leads back to a page here and never to another site', async () => {
    const member = await apiMember(forum.server, 'nextpage');
    for (const [next, expected] of [
      ['/new', '/new'],
      ['https://example.org/phish', null],
      ['//example.org/phish', null],
      ['/\\example.org', null],
      ['javascript:alert(1)', null],
    ]) {
      const client = forum.server.client();
      await client.get(`/login?next=${encodeURIComponent(next)}`);
      const response = await client.postForm('/login', { username: member.username, password: kPassword, next });
      assert.equal(response.status, 303, `next=${next}`);
      const location = response.location;
      if (expected) assert.equal(location, expected, `next=${next}`);
      assert.ok(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `next=${next} led to ${location}`);
    }
  });

  test('an unknown name gets the same answer as a wrong password (no account probing)', async () => {
    const member = await apiMember(forum.server, 'probe');
    const client = forum.server.client();
    const wrong = await client.api('POST', '/api/v1/sessions', { username: member.username, password: 'wrong wrong wrong' });
    const unknown = await client.api('POST', '/api/v1/sessions', { username: uniqueName('nobody'), password: 'wrong wrong wrong' });
    const a = assertApiError(wrong, wrong.status);
    const b = assertApiError(unknown, wrong.status);
    assert.ok([401, 422].includes(wrong.status), `wrong password: ${wrong.status}`);
    assert.equal(a.code, b.code);
    assert.equal(a.message, b.message);
  });

  test('signing in with the username in another case works', async () => {
    const member = await apiMember(forum.server, 'Case');
    const response = await forum.server.client().api('POST', '/api/v1/sessions', { username: member.username.toLowerCase(), password: kPassword });
    assert.equal(response.status, 201, response.text);
  });

  test('each sign-in gets a fresh token (rotation on login)', async () => {
    const member = await apiMember(forum.server, 'rotate');
    const client = await formMember(forum.server, 'rotatef');
    const before = client.signedInCookie();
    await client.get('/login');
    const again = await client.postForm('/login', { username: client.username, password: kPassword });
    assert.equal(again.status, 303);
    assert.notEqual(client.signedInCookie(), before, 'a new session token after signing in again');
    const first = await forum.server.client().api('POST', '/api/v1/sessions', { username: member.username, password: kPassword });
    const second = await forum.server.client().api('POST', '/api/v1/sessions', { username: member.username, password: kPassword });
    assert.notEqual(first.json.token, second.json.token);
    assert.equal(first.json.user.username, member.username);
  });

  test('logging out ends the session, and its old cookie no longer works', async () => {
    const client = await formMember(forum.server, 'logout');
    const oldCookie = client.signedInCookie();
    const response = await client.postForm('/logout', {});
    assert.equal(response.status, 303);
    assert.ok(!client.signedInCookie(), 'the cookie is cleared');
    assert.ok(!(await isSignedIn(client)));
    const replay = forum.server.client();
    replay.cookies.set('kindred_session', oldCookie);
    assert.ok(!(await isSignedIn(replay)), 'the old session token was revoked on the server');
  });

  test('logging out everywhere ends every other session, cookie and bearer alike', async () => {
    const first = await formMember(forum.server, 'everywhere');
    const second = forum.server.client();
    await second.get('/login');
    assert.equal((await second.postForm('/login', { username: first.username, password: kPassword })).status, 303);
    const token = (await forum.server.client().api('POST', '/api/v1/sessions', { username: first.username, password: kPassword })).json.token;
    assert.ok(await isSignedIn(second));

    const response = await first.postForm('/logout-everywhere', {});
    assert.equal(response.status, 303);
    assert.ok(!(await isSignedIn(first)), 'this session ended');
    assert.ok(!(await isSignedIn(second)), 'the other browser is signed out');
    const api = await forum.server.client().api('POST', '/api/v1/topics', { category_id: forum.category.id, title: 'Still signed in?', body: 'x' }, { token });
    assertApiError(api, 401);
  });

  test('the API session can be ended with DELETE /api/v1/sessions/current', async () => {
    const member = await apiMember(forum.server, 'apiout');
    const client = forum.server.client();
    const deleted = await client.api('DELETE', '/api/v1/sessions/current', undefined, { token: member.token });
    assert.ok([200, 204].includes(deleted.status), `delete session: ${deleted.status}`);
    const after = await client.api('POST', '/api/v1/topics', { category_id: forum.category.id, title: 'After signing out', body: 'x' }, { token: member.token });
    assertApiError(after, 401, { code: 'login_required' });
    const again = await client.api('DELETE', '/api/v1/sessions/current', undefined, { token: member.token });
    assertApiError(again, 401);
  });

  test('DELETE /api/v1/sessions signs out everywhere: every token and cookie of the member ends', async () => {
    const member = await apiMember(forum.server, 'apiall');
    const client = forum.server.client();
    const other = (await client.api('POST', '/api/v1/sessions', { username: member.username, password: member.password })).json.token;
    const browser = forum.server.client();
    await browser.get('/login');
    assert.equal((await browser.postForm('/login', { username: member.username, password: member.password })).status, 303);
    assertApiError(await client.api('DELETE', '/api/v1/sessions'), 401, { code: 'login_required' });
    const ended = await client.api('DELETE', '/api/v1/sessions', undefined, { token: member.token });
    assert.equal(ended.status, 204, ended.text);
    for (const token of [member.token, other]) {
      assertApiError(await client.api('GET', '/api/v1/me', undefined, { token }), 401);
    }
    assert.ok(!(await isSignedIn(browser)), 'the browser is signed out too');
  });

  test('GET and PATCH /api/v1/me: the account page\'s settings, and whom the member blocked', async () => {
    const member = await apiMember(forum.server, 'apime');
    const other = await apiMember(forum.server, 'apimeo');
    const client = forum.server.client();
    const call = (method, body) => client.api(method, '/api/v1/me', body, { token: member.token });
    assertApiError(await client.api('GET', '/api/v1/me'), 401);
    const before = await call('GET');
    assert.equal(before.status, 200, before.text);
    assert.equal(before.json.account.username, member.username);
    assert.equal(before.json.account.worry_messages_off, false);
    assert.ok(!('password_hash' in before.json.account));
    assert.deepEqual(before.json.blocked, []);
    await client.api('POST', `/api/v1/users/${other.username}/block`, undefined, { token: member.token });
    const changed = await call('PATCH', { worry_messages_off: true, show_posts_with_content_warnings: true });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.json.account.worry_messages_off, true);
    assert.equal(changed.json.account.show_posts_with_content_warnings, true);
    assert.deepEqual(changed.json.blocked.map((b) => b.username), [other.username]);
    // Left out stays as it is.
    const partly = await call('PATCH', { worry_messages_off: false });
    assert.equal(partly.json.account.worry_messages_off, false);
    assert.equal(partly.json.account.show_posts_with_content_warnings, true);
    assertApiError(await call('PATCH', { worry_messages_off: 'yes' }), 400, {});
  });

  test('a made-up bearer token is a visitor, not an error page', async () => {
    const client = forum.server.client();
    const response = await client.api('POST', '/api/v1/topics', { category_id: forum.category.id, title: 'Made up token', body: 'x' }, { token: 'A'.repeat(43) });
    assertApiError(response, 401, { code: 'login_required' });
    const read = await client.api('GET', '/api/v1/categories', undefined, { token: 'garbage' });
    assert.equal(read.status, 200);
  });
});

describe('CSRF', () => {
  test('the login form without _csrf, or with a wrong one, is refused with 403', async () => {
    const member = await apiMember(forum.server, 'csrf');
    const client = forum.server.client();
    await client.get('/login');
    const none = await client.postForm('/login', { username: member.username, password: kPassword }, { csrf: null });
    assert.equal(none.status, 403);
    const wrong = await client.postForm('/login', { username: member.username, password: kPassword }, { csrf: 'x'.repeat(43) });
    assert.equal(wrong.status, 403);
    assert.match(wrong.headers['content-type'], /text\/html/);
    assert.ok(!client.signedInCookie(), 'not signed in');
  });

  test('a token from another session does not work, and nothing is saved', async () => {
    const victim = await formMember(forum.server, 'victim');
    const attacker = await formMember(forum.server, 'attacker');
    const attackerToken = await attacker.csrfToken();
    const title = `Forged question ${uniqueName('f')}`;
    const response = await victim.postForm('/new', { category_id: forum.category.id, title, body: 'forged body' },
      { csrf: attackerToken, headers: { origin: 'https://evil.example', referer: 'https://evil.example/page' } });
    assert.equal(response.status, 403);
    assert.ok(!response.text.includes('forged body'), 'a form from elsewhere is not shown back as theirs');
    const latest = await forum.server.client().api('GET', '/api/v1/topics');
    assert.equal(latest.status, 200);
    assert.ok(!latest.text.includes(title), 'the forged question was not saved');
  });

  test('a visitor\'s token from another browser does not work on the register form', async () => {
    const one = forum.server.client();
    const two = forum.server.client();
    await one.get('/register');
    await two.get('/register');
    assert.notEqual(one.csrf, two.csrf, 'each visitor has their own token');
    const response = await one.postForm('/register', { username: uniqueName('x'), password: kPassword }, { csrf: two.csrf });
    assert.equal(response.status, 403);
  });

  test('a reply sent after the sign-in ended is not lost: its words come back to copy', async () => {
    const writer = await formMember(forum.server, 'lapsed');
    const { topic } = await askApi(forum.server, (await apiMember(forum.server, 'asker')).token, forum.category.id,
      'Does it get easier?', 'Six months on.');
    const form = await writer.get(`/t/${topic.id}/reply`);
    assert.equal(form.status, 200);
    const token = await writer.csrfToken();
    // Signed out everywhere from another device while this page was open.
    const phone = forum.server.client();
    await phone.get('/login');
    assert.equal((await phone.postForm('/login', { username: writer.username, password: kPassword })).status, 303);
    assert.equal((await phone.postForm('/logout-everywhere', {})).status, 303);

    const page = `${forum.server.baseUrl}/t/${topic.id}/reply`;
    const sent = await writer.postForm(`/t/${topic.id}/reply`, { body: 'It does, slowly. Be gentle with yourself.' },
      { csrf: token, headers: { origin: forum.server.baseUrl, referer: page } });
    assert.equal(sent.status, 403);
    assert.match(sent.text, /Please sign in again/);
    assert.match(sent.text, /<textarea[^>]*readonly>\n?It does, slowly\. Be gentle with yourself\.<\/textarea>/);
    assert.ok(sent.text.includes(`href="/login?next=%2Ft%2F${topic.id}%2Freply"`), 'signing in leads back to the form');
  });

  test('a member changes their password on the account page; other devices are signed out', async () => {
    const member = await formMember(forum.server, 'newpass');
    const phone = await sessionToken(forum.server, member.username);
    const wrong = await member.postForm('/account/password', { current_password: 'not it at all', new_password: 'a fresh passphrase' });
    assert.equal(wrong.status, 422);
    assert.match(visibleText(wrong.text), /That is not your current password/);
    assert.ok(!wrong.text.includes('a fresh passphrase'), 'a password is never written back into the page');
    const changed = await member.postForm('/account/password', { current_password: kPassword, new_password: 'a fresh passphrase' });
    assert.equal(changed.status, 303);
    assert.equal(changed.location, '/account?password=changed#password');
    assert.ok(await isSignedIn(member), 'this browser stays signed in with its new session');
    assert.match(visibleText((await member.get('/account?password=changed')).text), /Your password is changed/);
    assert.equal((await forum.server.client().api('GET', '/api/v1/me/notices', undefined, { token: phone })).status, 401);

    const api = await forum.server.client().api('POST', '/api/v1/me/password',
      { current_password: 'a fresh passphrase', new_password: 'and another passphrase' }, { token: await sessionToken(forum.server, member.username, 'a fresh passphrase') });
    assert.equal(api.status, 200, api.text);
    assert.equal((await forum.server.client().api('GET', '/api/v1/me/notices', undefined, { token: api.json.token })).status, 200);
    assert.ok(!(await isSignedIn(member)), 'changing it through the API signed this browser out too');
  });

  test('logout and logout-everywhere need the token too', async () => {
    const client = await formMember(forum.server, 'csrfout');
    assert.equal((await client.postForm('/logout', {}, { csrf: null })).status, 403);
    assert.equal((await client.postForm('/logout-everywhere', {}, { csrf: 'nope' })).status, 403);
    assert.ok(await isSignedIn(client), 'still signed in');
  });

  test('a cookie-authenticated API write without the CSRF header is refused', async () => {
    const client = await formMember(forum.server, 'cookieapi');
    const title = `Cookie API question ${uniqueName('c')}`;
    const response = await client.api('POST', '/api/v1/topics', { category_id: forum.category.id, title, body: 'x' });
    assert.ok([401, 403].includes(response.status), `status ${response.status}`);
    assertApiError(response, response.status);
    const latest = await forum.server.client().api('GET', '/api/v1/topics');
    assert.ok(!latest.text.includes(title));
  });
});
