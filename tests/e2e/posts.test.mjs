// Editing (with every revision kept), deleting, and reactions, through the forms and the API,
// including the refusals: someone else's post, one's own post, twice, a deleted post.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  apiMember,
  askApi,
  assertApiError,
  assertHtml,
  fieldValue,
  findForms,
  formMember,
  replyApi,
  startForum,
  topicApi,
  visibleText,
} from './harness.mjs';

let forum;
before(async () => {
  forum = await startForum();
});
after(async () => {
  await forum?.server.stop();
});

// As `reader` (a signed-in client, or a bearer token's): earlier versions are for the writer and moderators.
const revisionsOf = async (postId, reader, token) => {
  const response = await reader.api('GET', `/api/v1/posts/${postId}/revisions`, undefined, { token });
  assert.equal(response.status, 200, response.text);
  assert.ok(Array.isArray(response.json.revisions), `{revisions:[...]}: ${response.text.slice(0, 200)}`);
  // Oldest first, whichever order the server lists them in.
  return [...response.json.revisions].sort((a, b) => a.revision - b.revision);
};

const postOf = async (topicId, postId) => {
  const shown = await topicApi(forum.server, topicId);
  const post = shown.posts.find((p) => p.id === postId);
  assert.ok(post, `post ${postId} in topic ${topicId}`);
  return post;
};

describe('editing', () => {
  test('the edit form changes the post, keeps every revision, and marks it edited', async () => {
    const author = await formMember(forum.server, 'editor');
    const created = await author.postForm('/new', { category_id: forum.category.id, title: 'A question I will edit', body: 'First words.' });
    assert.equal(created.status, 303);
    const topicId = Number(/\/t\/(\d+)/.exec(created.location)[1]);
    const postId = (await topicApi(forum.server, topicId)).posts[0].id;

    const form = await author.get(`/p/${postId}/edit`);
    assertHtml(form, 200);
    assert.equal(fieldValue(form.text, 'body'), 'First words.', 'the edit form starts with the current text');
    assert.equal((await author.postForm(`/p/${postId}/edit`, { body: 'Second words.' })).status, 303);
    assert.equal((await author.postForm(`/p/${postId}/edit`, { body: 'Third **words**.' })).status, 303);

    const post = await postOf(topicId, postId);
    assert.equal(post.body_markdown, 'Third **words**.');
    assert.match(post.body_html, /<strong>words<\/strong>/);
    assert.ok(post.edited_at, 'edited_at is set');
    const revisions = await revisionsOf(postId, author);
    assert.deepEqual(revisions.map((r) => r.body_markdown), ['First words.', 'Second words.', 'Third **words**.'],
      'revision 1 is the text as first posted, then one per edit');
    assert.deepEqual(revisions.map((r) => r.revision), [1, 2, 3]);

    const page = await author.get(`/t/${topicId}`);
    assert.match(page.text, new RegExp(`href="/p/${postId}/revisions"`), 'an "edited" marker opens the history');
    const history = await author.get(`/p/${postId}/revisions`);
    assertHtml(history, 200);
    assert.ok(history.text.includes('First words.') && history.text.includes('Second words.'));

    // Anyone else sees that it was edited, never what it said before.
    const visitorPage = await forum.server.client().get(`/t/${topicId}`);
    assert.match(visitorPage.text, /edited/);
    assert.doesNotMatch(visitorPage.text, new RegExp(`href="/p/${postId}/revisions"`));
    const other = await formMember(forum.server, 'noteditor');
    const refused = await other.get(`/p/${postId}/revisions`);
    assert.equal(refused.status, 403);
    assert.ok(!refused.text.includes('First words.'));
    assert.equal((await forum.server.client().api('GET', `/api/v1/posts/${postId}/revisions`)).status, 401);
  });

  test('a too long or empty edit comes back with the text kept, and changes nothing', async () => {
    const author = await formMember(forum.server, 'editlong');
    const created = await author.postForm('/new', { category_id: forum.category.id, title: 'Edit limits question', body: 'Original.' });
    const topicId = Number(/\/t\/(\d+)/.exec(created.location)[1]);
    const postId = (await topicApi(forum.server, topicId)).posts[0].id;
    const long = await author.postForm(`/p/${postId}/edit`, { body: 'q'.repeat(20_001) });
    assert.equal(long.status, 422);
    assert.equal(fieldValue(long.text, 'body'), 'q'.repeat(20_001));
    const empty = await author.postForm(`/p/${postId}/edit`, { body: '' });
    assert.equal(empty.status, 422);
    const post = await postOf(topicId, postId);
    assert.equal(post.body_markdown, 'Original.');
    assert.ok(!post.edited_at, 'not marked edited');
  });

  test('PATCH /api/v1/posts/{id} edits; revisions through the API', async () => {
    const author = await apiMember(forum.server, 'patch');
    const { topic, post } = await askApi(forum.server, author.token, forum.category.id, 'Patch question title', 'v1');
    const client = forum.server.client();
    const patched = await client.api('PATCH', `/api/v1/posts/${post.id}`, { body: 'v2' }, { token: author.token });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.json.post.body_markdown, 'v2');
    assert.ok(patched.json.post.edited_at);
    assertApiError(await client.api('PATCH', `/api/v1/posts/${post.id}`, { body: '' }, { token: author.token }), 422, { field: 'body' });
    assertApiError(await client.api('PATCH', `/api/v1/posts/${post.id}`, { body: 'x'.repeat(20_001) }, { token: author.token }), 422, { field: 'body' });
    const revisions = await revisionsOf(post.id, client, author.token);
    assert.deepEqual(revisions.map((r) => r.body_markdown), ['v1', 'v2']);
    assert.equal((await postOf(topic.id, post.id)).body_markdown, 'v2');
  });

  test('someone else\'s post cannot be edited or deleted: 403, form and API, nothing changed', async () => {
    const author = await apiMember(forum.server, 'owner');
    const { topic, post } = await askApi(forum.server, author.token, forum.category.id, 'Only mine to change', 'Mine.');
    const other = await apiMember(forum.server, 'other');
    const client = forum.server.client();
    assertApiError(await client.api('PATCH', `/api/v1/posts/${post.id}`, { body: 'Yours now.' }, { token: other.token }), 403);
    assertApiError(await client.api('DELETE', `/api/v1/posts/${post.id}`, undefined, { token: other.token }), 403);
    assertApiError(await client.api('PATCH', `/api/v1/posts/${post.id}`, { body: 'Visitor.' }), 401);
    const otherForm = await formMember(forum.server, 'otherform');
    assert.equal((await otherForm.postForm(`/p/${post.id}/edit`, { body: 'Yours now.' })).status, 403);
    assert.equal((await otherForm.postForm(`/p/${post.id}/delete`, {})).status, 403);
    const editForm = await otherForm.get(`/p/${post.id}/edit`);
    assert.equal(editForm.status, 403, 'the edit form itself is refused');
    const page = await otherForm.get(`/t/${topic.id}`);
    assert.ok(!page.text.includes(`action="/p/${post.id}/edit"`) && !page.text.includes(`href="/p/${post.id}/edit"`), 'no edit control on others\' posts');
    const after = await postOf(topic.id, post.id);
    assert.equal(after.body_markdown, 'Mine.');
    assert.ok(!after.edited_at);
  });
});

describe('deleting', () => {
  test('the delete form removes the text; the thread reads "deleted by its author"', async () => {
    const asker = await apiMember(forum.server, 'delasker');
    const { topic } = await askApi(forum.server, asker.token, forum.category.id, 'A thread that stays readable', 'The question stays.');
    const author = await formMember(forum.server, 'deleter');
    const reply = await author.postForm(`/t/${topic.id}/reply`, { body: 'A secret I regret sharing.' });
    assert.equal(reply.status, 303);
    await replyApi(forum.server, asker.token, topic.id, 'A reply after it.');
    const replyId = (await topicApi(forum.server, topic.id)).posts[1].id;

    const confirm = await author.get(`/p/${replyId}/delete`);
    assertHtml(confirm, 200);
    assert.ok(findForms(confirm.text).some((f) => f.action === `/p/${replyId}/delete`), 'a confirm form');
    const response = await author.postForm(`/p/${replyId}/delete`, {});
    assert.equal(response.status, 303);

    const page = await forum.server.client().get(`/t/${topic.id}`);
    assertHtml(page, 200);
    assert.ok(!page.text.includes('A secret I regret sharing.'), 'the text is gone from the page');
    assert.match(visibleText(page.text), /deleted by its author/i);
    assert.ok(page.text.includes('The question stays.') && page.text.includes('A reply after it.'), 'the rest stays');
    const shown = await topicApi(forum.server, topic.id);
    assert.ok(!JSON.stringify(shown).includes('A secret I regret sharing.'), 'the text is gone from the API');
    assert.equal(shown.posts.length, 3, 'the place in the thread stays');
    assert.equal(shown.topic.reply_count, 1, 'deleted replies are not counted');
    const history = await forum.server.client().api('GET', `/api/v1/posts/${replyId}/revisions`);
    assertApiError(history, 404);
    assert.ok(!history.text.includes('A secret'), 'nor from its history');
    const revisionsPage = await forum.server.client().get(`/p/${replyId}/revisions`);
    assert.equal(revisionsPage.status, 404);
    assert.ok(!revisionsPage.text.includes('A secret'));
  });

  test('DELETE /api/v1/posts/{id}; a deleted post cannot be edited, deleted again or reacted to', async () => {
    const author = await apiMember(forum.server, 'apidel');
    const { topic } = await askApi(forum.server, author.token, forum.category.id);
    const post = await replyApi(forum.server, author.token, topic.id, 'To be deleted.');
    const client = forum.server.client();
    const deleted = await client.api('DELETE', `/api/v1/posts/${post.id}`, undefined, { token: author.token });
    assert.ok([200, 204].includes(deleted.status), `delete: ${deleted.status} ${deleted.text}`);
    assertApiError(await client.api('PATCH', `/api/v1/posts/${post.id}`, { body: 'Back?' }, { token: author.token }), 409);
    const again = await client.api('DELETE', `/api/v1/posts/${post.id}`, undefined, { token: author.token });
    assert.ok([204, 200, 409].includes(again.status), `delete twice: ${again.status}`);
    const other = await apiMember(forum.server, 'apidelo');
    assertApiError(await client.api('POST', `/api/v1/posts/${post.id}/reactions`, { kind: 'hug' }, { token: other.token }), 409);
  });
});

describe('reactions', () => {
  test('API: each kind once per person, counted, idempotent, and can be taken back', async () => {
    const author = await apiMember(forum.server, 'reacted');
    const { post } = await askApi(forum.server, author.token, forum.category.id);
    const one = await apiMember(forum.server, 'reactor');
    const two = await apiMember(forum.server, 'reactor');
    const client = forum.server.client();
    const react = (token, kind) => client.api('POST', `/api/v1/posts/${post.id}/reactions`, { kind }, { token });
    const unreact = (token, kind) => client.api('DELETE', `/api/v1/posts/${post.id}/reactions/${kind}`, undefined, { token });
    const counts = async () => (await client.api('GET', `/api/v1/posts/${post.id}`)).json.post.reactions;

    const first = await react(one.token, 'hug');
    assert.ok([200, 201].includes(first.status), `${first.status} ${first.text}`);
    const twice = await react(one.token, 'hug');
    assert.ok([200, 201].includes(twice.status), `reacting twice is not an error: ${twice.status}`);
    assert.deepEqual(await counts(), { helpful: 0, hug: 1, me_too: 0 });
    await react(two.token, 'hug');
    await react(two.token, 'me_too');
    await react(one.token, 'helpful');
    assert.deepEqual(await counts(), { helpful: 1, hug: 2, me_too: 1 });
    const removed = await unreact(one.token, 'hug');
    assert.ok([200, 204].includes(removed.status), `remove: ${removed.status}`);
    const removedAgain = await unreact(one.token, 'hug');
    assert.ok([200, 204].includes(removedAgain.status), `removing twice is not an error: ${removedAgain.status}`);
    assert.deepEqual(await counts(), { helpful: 1, hug: 1, me_too: 1 });
  });

  test('API: one\'s own post is 403, an unknown kind is 4xx, a visitor is 401', async () => {
    const author = await apiMember(forum.server, 'selfreact');
    const { post } = await askApi(forum.server, author.token, forum.category.id);
    const client = forum.server.client();
    assertApiError(await client.api('POST', `/api/v1/posts/${post.id}/reactions`, { kind: 'hug' }, { token: author.token }), 403);
    const other = await apiMember(forum.server, 'badkind');
    const bad = await client.api('POST', `/api/v1/posts/${post.id}/reactions`, { kind: 'love' }, { token: other.token });
    assert.ok([400, 422].includes(bad.status), `unknown kind: ${bad.status}`);
    assertApiError(bad, bad.status, { field: 'kind' });
    const badDelete = await client.api('DELETE', `/api/v1/posts/${post.id}/reactions/love`, undefined, { token: other.token });
    assert.ok([400, 404, 422].includes(badDelete.status), `unknown kind in the path: ${badDelete.status}`);
    assertApiError(await client.api('POST', `/api/v1/posts/${post.id}/reactions`, { kind: 'hug' }), 401, { code: 'login_required' });
    assert.deepEqual((await client.api('GET', `/api/v1/posts/${post.id}`)).json.post.reactions, { helpful: 0, hug: 0, me_too: 0 });
  });

  test('form: react, react again (idempotent), take it back; own post refused; the count is shown', async () => {
    const author = await apiMember(forum.server, 'formreacted');
    const { topic, post } = await askApi(forum.server, author.token, forum.category.id, 'Reactions through the form', 'Question.');
    const member = await formMember(forum.server, 'formreactor');
    const page = await member.get(`/t/${topic.id}`);
    const forms = findForms(page.text).filter((f) => f.action === `/p/${post.id}/react`);
    assert.ok(forms.length >= 3 || forms.some((f) => f.buttons.length >= 3), 'react controls for the three kinds');

    for (const kind of ['helpful', 'hug', 'me_too']) {
      const response = await member.postForm(`/p/${post.id}/react`, { kind, action: 'add' });
      assert.equal(response.status, 303, `${kind}: ${response.status}`);
    }
    assert.equal((await member.postForm(`/p/${post.id}/react`, { kind: 'hug', action: 'add' })).status, 303);
    assert.deepEqual((await postOf(topic.id, post.id)).reactions, { helpful: 1, hug: 1, me_too: 1 });
    const shown = await member.get(`/t/${topic.id}`);
    const hugButton = /<button[^>]*value="hug:remove"[^>]*>([\s\S]*?)<\/button>/.exec(shown.text);
    assert.ok(hugButton && /\b1\b/.test(visibleText(hugButton[1])), `the hug count is shown: ${hugButton && visibleText(hugButton[1])}`);
    assert.equal((await member.postForm(`/p/${post.id}/react`, { react: 'hug:remove' })).status, 303, 'the page\'s own button');
    assert.equal((await member.postForm(`/p/${post.id}/react`, { react: 'hug:add' })).status, 303);
    assert.equal((await member.postForm(`/p/${post.id}/react`, { kind: 'hug', action: 'remove' })).status, 303);
    assert.deepEqual((await postOf(topic.id, post.id)).reactions, { helpful: 1, hug: 0, me_too: 1 });

    const own = await formMember(forum.server, 'ownform');
    const created = await own.postForm('/new', { category_id: forum.category.id, title: 'My own reactions', body: 'Mine.' });
    const ownPost = (await topicApi(forum.server, Number(/\/t\/(\d+)/.exec(created.location)[1]))).posts[0];
    assert.equal((await own.postForm(`/p/${ownPost.id}/react`, { kind: 'hug', action: 'add' })).status, 403);
    const bad = await member.postForm(`/p/${post.id}/react`, { kind: 'love', action: 'add' });
    assert.ok(bad.status >= 400 && bad.status < 500, `unknown kind: ${bad.status}`);
    assert.equal((await member.postForm(`/p/${post.id}/react`, { kind: 'hug', action: 'add' }, { csrf: null })).status, 403, 'CSRF is checked');
  });
});
