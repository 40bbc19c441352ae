// Admin and moderation end to end: categories (create, rename, describe, reorder, archive) and
// topics (pin, close, move), through the admin pages and the API; members are refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  apiMember,
  askApi,
  assertApiError,
  assertHtml,
  createCategoryApi,
  escapeHtml,
  fieldValue,
  formErrors,
  findForms,
  formMember,
  kPassword,
  replyApi,
  runKindred,
  startForum,
  topicApi,
  uniqueName,
  visibleText,
} from './harness.mjs';

let forum;
let adminClient;  // the admin signed in through the login form
before(async () => {
  forum = await startForum();
  adminClient = forum.server.client();
  await adminClient.get('/login');
  const login = await adminClient.postForm('/login', { username: forum.admin.username, password: kPassword });
  assert.equal(login.status, 303, 'the admin signs in through the form');
});
after(async () => {
  await forum?.server.stop();
});

const categoriesApi = async () => {
  const response = await forum.server.client().api('GET', '/api/v1/categories');
  assert.equal(response.status, 200);
  return response.json.categories;
};

const shortName = (label) => `${label} ${uniqueName('c').slice(-5)}`;

describe('categories', () => {
  test('the admin creates a category through the admin page; it appears on the home page', async () => {
    const page = await adminClient.get('/admin/categories');
    assertHtml(page, 200);
    const name = shortName('Grief & <loss>');
    const created = await adminClient.submit(page.text, '/admin/categories', { name, description: 'For when someone is gone.' });
    assert.equal(created.status, 303, visibleText(created.text).slice(0, 300));
    const category = (await categoriesApi()).find((c) => c.name === name);
    assert.ok(category, 'listed by the API');
    assert.equal(category.description, 'For when someone is gone.');
    assert.match(category.slug, /^[a-z0-9-]+$/);
    const home = await forum.server.client().get('/');
    assert.ok(home.text.includes(escapeHtml(name)), 'the name is on the home page, escaped');
    assert.ok(!home.text.includes('<loss>'), 'never as markup');
    assert.ok(home.text.includes('For when someone is gone.'), 'with its description');
    const categoryPage = await forum.server.client().get(`/c/${category.slug}`);
    assertHtml(categoryPage, 200);
  });

  test('a bad name comes back on the admin page with what was typed', async () => {
    const page = await adminClient.get('/admin/categories');
    const response = await adminClient.submit(page.text, '/admin/categories', { name: 'x', description: 'Kept description.' });
    assert.equal(response.status, 422);
    assert.equal(fieldValue(response.text, 'name', '/admin/categories'), 'x');
    assert.equal(fieldValue(response.text, 'description', '/admin/categories'), 'Kept description.');
    const api = await forum.server.client().api('POST', '/api/v1/categories', { name: 'x', description: '' }, { token: forum.admin.token });
    assertApiError(api, 422, { field: 'name' });
    const long = await forum.server.client().api('POST', '/api/v1/categories', { name: 'Long description', description: 'd'.repeat(501) }, { token: forum.admin.token });
    assertApiError(long, 422, { field: 'description' });
  });

  test('POST /api/v1/categories: 201 for admins, 403 for members, 401 for visitors', async () => {
    const name = shortName('Anxiety');
    const created = await forum.server.client().api('POST', '/api/v1/categories', { name, description: 'Worry, panic, and calm.' }, { token: forum.admin.token });
    assert.equal(created.status, 201, created.text);
    assert.ok(created.json.category.id && created.json.category.slug);
    assert.equal(created.json.category.name, name);
    const member = await apiMember(forum.server, 'notadmin');
    assertApiError(await forum.server.client().api('POST', '/api/v1/categories', { name: shortName('Nope') }, { token: member.token }), 403);
    assertApiError(await forum.server.client().api('POST', '/api/v1/categories', { name: shortName('Nope') }), 401);
  });

  test('PATCH /api/v1/categories/{id}: rename, describe, reorder and archive; only what is given changes', async () => {
    const api = (method, path, body, token = forum.admin.token) => forum.server.client().api(method, path, body, { token });
    const first = await createCategoryApi(forum.server, forum.admin.token, shortName('Carers'), 'For carers.');
    const second = await createCategoryApi(forum.server, forum.admin.token, shortName('Work'), 'Work and stress.');
    const member = await apiMember(forum.server, 'patcher');
    assertApiError(await api('PATCH', `/api/v1/categories/${first.id}`, { name: 'Mine now' }, member.token), 403, { code: 'admins_only' });
    assertApiError(await api('PATCH', `/api/v1/categories/${first.id}`, { move: 'sideways' }), 422, { code: 'category_move' });
    assertApiError(await api('PATCH', '/api/v1/categories/999999', { archived: true }), 404, { code: 'category_not_found' });

    const renamed = await api('PATCH', `/api/v1/categories/${first.id}`, { description: 'For unpaid carers, day and night.' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json.category.name, first.name, 'the name stays');
    assert.equal(renamed.json.category.description, 'For unpaid carers, day and night.');

    const before = second.position;
    const moved = await api('PATCH', `/api/v1/categories/${second.id}`, { move: 'up' });
    assert.equal(moved.status, 200, moved.text);
    assert.ok(moved.json.category.position < before, `moved up: ${before} -> ${moved.json.category.position}`);

    const archived = await api('PATCH', `/api/v1/categories/${second.id}`, { archived: true });
    assert.equal(archived.json.category.archived, true);
    const listed = await api('GET', '/api/v1/categories');
    assert.ok(!listed.json.categories.some((c) => c.id === second.id), 'archived categories leave the list');
  });

  test('the admin renames and re-describes a category', async () => {
    const category = await createCategoryApi(forum.server, forum.admin.token, shortName('Sleep'), 'Old description.');
    const page = await adminClient.get('/admin/categories');
    const newName = shortName('Sleep and rest');
    const response = await adminClient.submit(page.text, `/admin/categories/${category.id}`, { name: newName, description: 'New description.' });
    assert.equal(response.status, 303);
    const updated = (await categoriesApi()).find((c) => c.id === category.id);
    assert.equal(updated.name, newName);
    assert.equal(updated.description, 'New description.');
    // A textarea's line breaks arrive from a browser as CR LF.
    const twoLines = await adminClient.submit(page.text, `/admin/categories/${category.id}`, { name: newName, description: 'Line one.\r\nLine two.' });
    assert.equal(twoLines.status, 303, `a two-line description: ${twoLines.status} ${formErrors(twoLines.text)}`);
    assert.equal((await categoriesApi()).find((c) => c.id === category.id).description, 'Line one.\nLine two.');
    const bad = await adminClient.submit(page.text, `/admin/categories/${category.id}`, { name: '', description: 'Still typed.' });
    assert.equal(bad.status, 422);
    assert.equal(fieldValue(bad.text, 'description', `/admin/categories/${category.id}`), 'Still typed.');
  });

  test('the admin reorders categories; the home page follows', async () => {
    const before = await categoriesApi();
    const last = before.at(-1);
    const secondLast = before.at(-2);
    const page = await adminClient.get('/admin/categories');
    const up = findForms(page.text).find((f) => f.action === `/admin/categories/${last.id}/move` &&
      (f.values.direction === 'up' || f.buttons.some((b) => b.name === 'direction' && b.value === 'up')));
    assert.ok(up, 'an "up" control for the last category');
    const moved = await adminClient.postForm(`/admin/categories/${last.id}/move`, { direction: 'up' });
    assert.equal(moved.status, 303);
    const after = await categoriesApi();
    assert.deepEqual(after.slice(-2).map((c) => c.id), [last.id, secondLast.id]);
    const home = (await forum.server.client().get('/')).text;
    assert.ok(home.indexOf(escapeHtml(last.name)) < home.indexOf(escapeHtml(secondLast.name)), 'home page order follows');
    assert.equal((await adminClient.postForm(`/admin/categories/${last.id}/move`, { direction: 'down' })).status, 303);
    assert.deepEqual((await categoriesApi()).map((c) => c.id), before.map((c) => c.id));
    const sideways = await adminClient.postForm(`/admin/categories/${last.id}/move`, { direction: 'sideways' });
    assert.ok(sideways.status >= 400 && sideways.status < 500);
  });

  test('the admin archives a category: hidden from lists, closed to questions, still readable', async () => {
    const category = await createCategoryApi(forum.server, forum.admin.token, shortName('Archived'), 'Soon gone.');
    const member = await apiMember(forum.server, 'archive');
    const { topic } = await askApi(forum.server, member.token, category.id, 'A question before archiving', 'Body.');
    const page = await adminClient.get('/admin/categories');
    const response = await adminClient.submit(page.text, `/admin/categories/${category.id}/archive`);
    assert.equal(response.status, 303);
    assert.ok(!(await categoriesApi()).some((c) => c.id === category.id), 'not listed');
    // The home page's category cards come before its latest-topics list (which may still name it).
    const home = (await forum.server.client().get('/')).text;
    const cards = home.slice(0, home.indexOf('id="h-latest"'));
    assert.ok(!cards.includes(escapeHtml(category.name)), 'not among the home page\'s categories');
    const ask = await forum.server.client().api('POST', '/api/v1/topics', { category_id: category.id, title: 'Into the archive', body: 'x' }, { token: member.token });
    assertApiError(ask, 403);
    assert.equal((await forum.server.client().get(`/t/${topic.id}`)).status, 200, 'its topics stay readable');
    const admin = await adminClient.get('/admin/categories');
    assert.ok(admin.text.includes(escapeHtml(category.name)), 'the admin still sees it, to bring it back');
    const back = await adminClient.submit(admin.text, `/admin/categories/${category.id}/archive`);
    assert.equal(back.status, 303);
    assert.ok((await categoriesApi()).some((c) => c.id === category.id), 'brought back');
  });

  test('members cannot reach the admin pages or their forms', async () => {
    const member = await formMember(forum.server, 'noadmin');
    assert.equal((await member.get('/admin/categories')).status, 403);
    const category = forum.category;
    assert.equal((await member.postForm('/admin/categories', { name: 'Sneaky category', description: '' })).status, 403);
    assert.equal((await member.postForm(`/admin/categories/${category.id}`, { name: 'Renamed by a member', description: '' })).status, 403);
    assert.equal((await member.postForm(`/admin/categories/${category.id}/move`, { direction: 'up' })).status, 403);
    assert.equal((await member.postForm(`/admin/categories/${category.id}/archive`, { archived: '1' })).status, 403);
    assert.ok((await categoriesApi()).some((c) => c.id === category.id && c.name === category.name), 'nothing changed');
    const visitor = forum.server.client();
    const page = await visitor.get('/admin/categories');
    assert.equal(page.status, 303);
    assert.match(page.location, /^\/login/);
  });
});

describe('moderating topics', () => {
  test('pin through the topic page: pinned topics list first in their category', async () => {
    const category = await createCategoryApi(forum.server, forum.admin.token, shortName('Pinning'));
    const member = await apiMember(forum.server, 'pinned');
    const older = await askApi(forum.server, member.token, category.id, 'An older question to pin', 'x');
    await askApi(forum.server, member.token, category.id, 'A newer question', 'x');
    const page = await adminClient.get(`/t/${older.topic.id}`);
    const response = await adminClient.submit(page.text, `/t/${older.topic.id}/moderate`, { pinned: '1' });
    assert.equal(response.status, 303);
    const list = await forum.server.client().api('GET', `/api/v1/categories/${category.slug}/topics`);
    assert.equal(list.json.topics[0].id, older.topic.id, 'pinned first');
    const html = (await forum.server.client().get(`/c/${category.slug}`)).text;
    assert.ok(html.indexOf('An older question to pin') < html.indexOf('A newer question'));
  });

  test('close through the topic page: replies are refused with 409, form and API, the text kept', async () => {
    const member = await apiMember(forum.server, 'closed');
    const { topic } = await askApi(forum.server, member.token, forum.category.id, 'A question to close', 'x');
    const page = await adminClient.get(`/t/${topic.id}`);
    const closed = await adminClient.submit(page.text, `/t/${topic.id}/moderate`, { closed: '1', reason: 'Answered in the pinned thread.' });
    assert.equal(closed.status, 303);
    assert.equal((await topicApi(forum.server, topic.id)).topic.closed, true);
    const told = await forum.server.client().api('GET', '/api/v1/me/notices', undefined, { token: member.token });
    const notice = told.json.notices.find((n) => n.kind === 'moderation');
    assert.ok(notice, 'the writer is told');
    assert.match(notice.title, /closed your question/);
    assert.match(notice.body_html, /Answered in the pinned thread\./);
    const api = await forum.server.client().api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'Too late?' }, { token: member.token });
    assertApiError(api, 409, { code: 'topic_closed' });
    const replier = await formMember(forum.server, 'closedf');
    const form = await replier.postForm(`/t/${topic.id}/reply`, { body: 'My reply, typed with care.' });
    assert.equal(form.status, 409);
    assert.equal(fieldValue(form.text, 'body'), 'My reply, typed with care.', 'what was typed is kept');
    const reading = await forum.server.client().get(`/t/${topic.id}`);
    assertHtml(reading, 200);
    assert.match(visibleText(reading.text), /closed/i, 'the page says it is closed');
    assert.equal((await topicApi(forum.server, topic.id)).topic.reply_count, 0);

    const reopened = await adminClient.submit((await adminClient.get(`/t/${topic.id}`)).text, `/t/${topic.id}/moderate`, { closed: undefined });
    assert.equal(reopened.status, 303);
    await replyApi(forum.server, member.token, topic.id, 'Open again.');
  });

  test('move through the topic page and the API', async () => {
    const from = await createCategoryApi(forum.server, forum.admin.token, shortName('From'));
    const to = await createCategoryApi(forum.server, forum.admin.token, shortName('To'));
    const member = await apiMember(forum.server, 'moved');
    const { topic } = await askApi(forum.server, member.token, from.id, 'A question in the wrong place', 'x');
    const page = await adminClient.get(`/t/${topic.id}`);
    const moved = await adminClient.submit(page.text, `/t/${topic.id}/moderate`, { category_id: to.id });
    assert.equal(moved.status, 303);
    const inTo = await forum.server.client().api('GET', `/api/v1/categories/${to.slug}/topics`);
    assert.ok(inTo.json.topics.some((t) => t.id === topic.id));
    const inFrom = await forum.server.client().api('GET', `/api/v1/categories/${from.slug}/topics`);
    assert.ok(!inFrom.json.topics.some((t) => t.id === topic.id));

    const back = await forum.server.client().api('PATCH', `/api/v1/topics/${topic.id}`, { category_id: from.id }, { token: forum.admin.token });
    assert.equal(back.status, 200, back.text);
    const pin = await forum.server.client().api('PATCH', `/api/v1/topics/${topic.id}`, { pinned: true, closed: true }, { token: forum.admin.token });
    assert.equal(pin.status, 200, pin.text);
    const shown = await topicApi(forum.server, topic.id);
    assert.equal(shown.topic.pinned, true);
    assert.equal(shown.topic.closed, true);
    const nowhere = await forum.server.client().api('PATCH', `/api/v1/topics/${topic.id}`, { category_id: 987654 }, { token: forum.admin.token });
    assert.ok([404, 422].includes(nowhere.status), `move to an unknown category: ${nowhere.status}`);
  });

  test('members cannot pin, close or move: 403, form and API; no controls shown to them', async () => {
    const member = await formMember(forum.server, 'nomod');
    const token = (await apiMember(forum.server, 'nomodapi')).token;
    const { topic } = await askApi(forum.server, token, forum.category.id, 'Members cannot moderate', 'x');
    const page = await member.get(`/t/${topic.id}`);
    assert.ok(!findForms(page.text).some((f) => f.action === `/t/${topic.id}/moderate`), 'no moderation form');
    assert.equal((await member.postForm(`/t/${topic.id}/moderate`, { pinned: '1', closed: '1' })).status, 403);
    assertApiError(await forum.server.client().api('PATCH', `/api/v1/topics/${topic.id}`, { closed: true }, { token }), 403);
    const shown = await topicApi(forum.server, topic.id);
    assert.equal(shown.topic.pinned, false);
    assert.equal(shown.topic.closed, false);
  });
});

describe('kindred admin reset-password', () => {
  test('sets a new password for a member who lost theirs and signs them out everywhere', async () => {
    const member = await apiMember(forum.server, 'forgetful');
    const fresh = 'a whole new passphrase';
    const reset = await runKindred(['admin', 'reset-password', member.username, '--data', forum.server.dataDir, '--password-stdin'], { input: `${fresh}\n` });
    assert.equal(reset.code, 0, reset.stderr);
    assert.ok(!reset.stdout.includes(fresh) && !reset.stderr.includes(fresh), 'the password is not printed');
    const old = await forum.server.client().api('GET', '/api/v1/me/notices', undefined, { token: member.token });
    assert.equal(old.status, 401, 'the old session ended');
    const session = await forum.server.client().api('POST', '/api/v1/sessions', { username: member.username, password: fresh });
    assert.equal(session.status, 201);

    const nobody = await runKindred(['admin', 'reset-password', 'nobody_here_at_all', '--data', forum.server.dataDir, '--password-stdin'], { input: `${fresh}\n` });
    assert.notEqual(nobody.code, 0);
    assert.match(nobody.stderr, /no account called nobody_here_at_all/);
    const typo = await runKindred(['admin', 'reset-password', member.username, '--data', `${forum.server.dataDir}-typo`, '--password-stdin'], { input: `${fresh}\n` });
    assert.notEqual(typo.code, 0);
    assert.match(typo.stderr, /there is no forum in .*-typo .*check --data/);
  });
});

describe('kindred admin create', () => {
  test('a second admin can be made while the server runs; a taken name or short password fails', async () => {
    const username = uniqueName('admin2');
    const made = await runKindred(['admin', 'create', username, '--data', forum.server.dataDir, '--password-stdin'], { input: `${kPassword}\n` });
    assert.equal(made.code, 0, made.stderr);
    assert.ok(!made.stdout.includes(kPassword) && !made.stderr.includes(kPassword), 'the password is not printed');
    const session = await forum.server.client().api('POST', '/api/v1/sessions', { username, password: kPassword });
    assert.equal(session.status, 201, 'the running server sees the new admin');
    const created = await forum.server.client().api('POST', '/api/v1/categories', { name: shortName('By admin two') }, { token: session.json.token });
    assert.equal(created.status, 201);

    const taken = await runKindred(['admin', 'create', username, '--data', forum.server.dataDir, '--password-stdin'], { input: `${kPassword}\n` });
    assert.notEqual(taken.code, 0, 'a taken name fails');
    assert.ok(taken.stderr.length + taken.stdout.length > 0, 'and says why');
    const short = await runKindred(['admin', 'create', uniqueName('admin3'), '--data', forum.server.dataDir, '--password-stdin'], { input: 'short\n' });
    assert.notEqual(short.code, 0, 'a short password fails');
  });
});
