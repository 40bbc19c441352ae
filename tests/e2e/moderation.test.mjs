// Moderation end to end (issue 5): each review-queue action through the API and the main ones
// through the web forms, the flag threshold that hides a post (and dismissing it), watched words
// (block, hold, replace, flag), slow mode, two moderators acting at once, new members' held
// posts, suspension, and the logged reveal of an anonymous writer.
//
// One server for the file. Its config keeps the relaxed rate limits but the real new-member rules
// (links held, a few links at most), so "new member" here means what it means in production;
// only their posting pace is relaxed so that tests do not wait for it.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  RELAXED_LIMITS_TOML, apiMember, askApi, assertApiError, assertHtml, fieldValue, findForms, formErrors, formMember,
  replyApi, startForum, topicApi, visibleText,
} from './harness.mjs';

const kModerationConfig = `${RELAXED_LIMITS_TOML.split('[moderation]')[0]}
[moderation]
new_member_posts = { burst = 1000, per_minute = 1000.0 }
`;
const kCrisis = "I can't go on. Tonight I am going to take all my pills. This is goodbye.";

let forum;  // {server, admin, category}
let moderator;  // API member with the moderator role
let moderatorWeb;  // the same kind of person, signed in through the forms
let asker;  // owns the topic most replies go to
let topic;

const api = (method, pathname, body, token) => forum.server.client().api(method, pathname, body, { token });

async function setTrust(username, level) {
  const response = await api('PUT', `/api/v1/users/${encodeURIComponent(username)}/trust`, { level }, forum.admin.token);
  assert.equal(response.status, 200, `trust ${username}: ${response.status} ${response.text}`);
  assert.equal(response.json.user.trust_level, level);
}

async function setRole(username, role) {
  const response = await api('PUT', `/api/v1/users/${encodeURIComponent(username)}/role`, { role }, forum.admin.token);
  assert.equal(response.status, 200, `role ${username}: ${response.status} ${response.text}`);
}

// A member at basic trust (most members after a few days): their flags weigh 1.
async function basicMember(prefix) {
  const member = await apiMember(forum.server, prefix);
  await setTrust(member.username, 'basic');
  return member;
}

async function queue(token = moderator.token, status = 'open') {
  const response = await api('GET', `/api/v1/review?status=${status}`, undefined, token);
  assert.equal(response.status, 200, `review queue: ${response.status} ${response.text}`);
  return response.json.items;
}

async function itemFor(postId, kind) {
  const items = await queue();
  const item = items.find((i) => i.post.id === postId && (!kind || i.kind === kind));
  assert.ok(item, `an open ${kind ?? ''} item for post ${postId} in ${JSON.stringify(items.map((i) => [i.kind, i.post.id]))}`);
  return item;
}

async function flag(token, postId, reason = 'unkind', note) {
  const response = await api('POST', `/api/v1/posts/${postId}/flags`, { reason, note }, token);
  assert.equal(response.status, 201, `flag ${postId}: ${response.status} ${response.text}`);
}

async function act(item, action, extra = {}, token = moderator.token) {
  return api('POST', `/api/v1/review/${item.id}/actions`, { action, version: item.version, ...extra }, token);
}

async function notices(token) {
  const response = await api('GET', '/api/v1/me/notices', undefined, token);
  assert.equal(response.status, 200, response.text);
  return response.json.notices;
}

// What a visitor gets for a post: its text, or nothing when they may not read it.
async function visitorText(postId) {
  const response = await api('GET', `/api/v1/posts/${postId}`);
  return response.status === 200 ? response.json.post.body_markdown ?? '' : '';
}

// A fresh reply by a fresh basic member, flagged once: the item a flag action acts on.
async function flaggedReply(text) {
  const writer = await basicMember('writer');
  const post = await replyApi(forum.server, writer.token, topic.id, text);
  const flagger = await basicMember('flagger');
  await flag(flagger.token, post.id, 'unkind', 'This reads as mocking.');
  return { writer, post, flagger, item: await itemFor(post.id, 'flag') };
}

before(async () => {
  forum = await startForum({ limits: 'default', extraConfig: kModerationConfig });
  moderator = await apiMember(forum.server, 'mod');
  await setRole(moderator.username, 'moderator');
  moderatorWeb = await formMember(forum.server, 'modweb');
  await setRole(moderatorWeb.username, 'moderator');
  asker = await basicMember('asker');
  topic = (await askApi(forum.server, asker.token, forum.category.id, 'How do you get through Sunday evenings?',
    'They are the hardest part of my week.')).topic;
});

after(async () => {
  await forum?.server.stop();
});

describe('the review queue through the API', () => {
  test('each item lists the actions its kind offers, and its version', async () => {
    const { item } = await flaggedReply('Sunday evenings are fine if you stop moaning about them.');
    assert.deepEqual(item.actions, ['dismiss', 'hide', 'approve', 'edit', 'delete', 'warn', 'suspend', 'escalate']);
    assert.equal(item.version, 1);
    assert.equal(item.reasons, 'unkind');
    assert.equal(item.note, 'This reads as mocking.');
    assert.ok(item.reporter?.username, 'moderators see who flagged');
    assert.equal(item.anonymous, false);
    // An action the kind does not offer is refused, and nothing changes.
    assertApiError(await act(item, 'move', { topic: topic.id }), 422, { code: 'action_not_offered' });
    assertApiError(await act(item, 'handled'), 422, { code: 'action_not_offered' });
    assertApiError(await act(item, 'dismiss', { version: undefined }), 400);
    assert.equal((await itemFor(item.post.id, 'flag')).status, 'open');
  });

  test('dismiss: the flag is turned down and the post stays', async () => {
    const { post, item } = await flaggedReply('I just put the radio on and cook something.');
    const done = await act(item, 'dismiss');
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.item.status, 'dismissed');
    assert.equal(await visitorText(post.id), 'I just put the radio on and cook something.');
  });

  test('hide: only the writer and moderators see the post, and the writer is told', async () => {
    const { writer, post, item } = await flaggedReply('Honestly some of you are pathetic.');
    const done = await act(item, 'hide', { reason: 'Unkind to others.' });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.item.status, 'handled');
    assert.equal(await visitorText(post.id), '');
    const own = await api('GET', `/api/v1/posts/${post.id}`, undefined, writer.token);
    assert.equal(own.json.post.body_markdown, 'Honestly some of you are pathetic.');
    assert.ok((await notices(writer.token)).some((n) => /hid one of your posts/.test(n.title)));
  });

  test('approve: the post stays up and the item closes', async () => {
    const { post, item } = await flaggedReply('A walk before dark helps me.');
    const done = await act(item, 'approve');
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.item.status, 'handled');
    assert.equal(await visitorText(post.id), 'A walk before dark helps me.');
  });

  test('edit: the text changes and the writer reads the reason', async () => {
    const { writer, post, item } = await flaggedReply('Call me on 07700 900123 and I will sort you out, idiot.');
    assertApiError(await act(item, 'edit', { body: 'Changed.' }), 422, { field: 'reason' });
    const done = await act(item, 'edit', { body: 'Happy to talk here if it helps.', reason: 'We keep phone numbers and insults off the forum.' });
    assert.equal(done.status, 200, done.text);
    assert.equal(await visitorText(post.id), 'Happy to talk here if it helps.');
    const told = (await notices(writer.token)).find((n) => /edited one of your posts/.test(n.title));
    assert.ok(told, 'the writer is told');
    assert.match(told.body_html, /We keep phone numbers and insults off the forum/);
  });

  test('delete: the text is removed and the writer reads the reason', async () => {
    const { writer, post, item } = await flaggedReply('Buy cheap followers at example.com now!!!');
    assertApiError(await act(item, 'delete'), 422, { field: 'reason' });
    const done = await act(item, 'delete', { reason: 'Advertising.' });
    assert.equal(done.status, 200, done.text);
    assert.equal(await visitorText(post.id), '');
    const read = await api('GET', `/api/v1/posts/${post.id}`);
    assert.ok(read.status === 404 || read.json.post.deleted === true, `deleted: ${read.status} ${read.text.slice(0, 200)}`);
    assert.ok((await notices(writer.token)).some((n) => /removed one of your posts/.test(n.title) && /Advertising/.test(n.body_html)));
  });

  test('warn: a private word to the writer; the post stays', async () => {
    const { writer, post, item } = await flaggedReply('Whatever, you will all give up anyway.');
    const done = await act(item, 'warn', { reason: 'Please keep replies encouraging.' });
    assert.equal(done.status, 200, done.text);
    assert.equal(await visitorText(post.id), 'Whatever, you will all give up anyway.');
    assert.ok((await notices(writer.token)).some((n) => /Please keep replies encouraging/.test(n.body_html)));
  });

  test('suspend: the writer can read but not post, for the days chosen', async () => {
    const { writer, item } = await flaggedReply('You lot are a joke.');
    assertApiError(await act(item, 'suspend', { reason: 'Repeated insults.' }), 422, { field: 'suspend_days' });
    const done = await act(item, 'suspend', { reason: 'Repeated insults.', suspend_days: 3 });
    assert.equal(done.status, 200, done.text);
    const refused = await api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'Still here.' }, writer.token);
    assertApiError(refused, 403, { code: 'suspended' });
    assert.match(refused.json.error.message, /Repeated insults/);
    assert.equal((await api('GET', `/api/v1/topics/${topic.id}`, undefined, writer.token)).status, 200, 'still reads');
    assert.ok((await notices(writer.token)).some((n) => n.kind === 'suspended'));
  });

  test('escalate: the item goes to the admins', async () => {
    const { item } = await flaggedReply('I am not sure this is allowed but here goes.');
    const done = await act(item, 'escalate', { reason: 'Not sure, please look.' });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.item.status, 'escalated');
    assert.ok((await notices(forum.admin.token)).some((n) => n.kind === 'escalation'));
    // It waits where it was, for the admin to act on, rather than leaving everyone's view.
    const waiting = (await queue()).find((i) => i.id === item.id);
    assert.ok(waiting, 'still in the open queue');
    assert.equal(waiting.status, 'escalated');
    const decided = await act(waiting, 'dismiss', {}, forum.admin.token);
    assert.equal(decided.status, 200, decided.text);
    assert.ok(!(await queue()).some((i) => i.id === item.id), 'decided, it leaves the open queue');
  });

  test('safety items: emergency_contacted keeps the item open, handled closes it, nothing hides the post', async () => {
    const writer = await basicMember('crisis');
    const asked = await askApi(forum.server, writer.token, forum.category.id, 'I need to say something', kCrisis);
    let item = await itemFor(asked.post.id, 'safety');
    assert.deepEqual(item.actions, ['handled', 'escalate', 'emergency_contacted', 'dismiss']);
    assertApiError(await act(item, 'hide'), 422, { code: 'action_not_offered' });
    const recorded = await act(item, 'emergency_contacted', { reason: 'Duty lead called 999 at 21:10.' });
    assert.equal(recorded.status, 200, recorded.text);
    item = await itemFor(asked.post.id, 'safety');
    assert.equal(item.status, 'open');
    const handled = await act(item, 'handled', { reason: 'Spoke with them; they are with family.' });
    assert.equal(handled.status, 200, handled.text);
    assert.equal(handled.json.item.status, 'handled');
    assert.equal(await visitorText(asked.post.id), kCrisis);
  });

  test('message: a private message to the writer, the item stays open', async () => {
    const { writer, item } = await flaggedReply('Not sure anyone cares what I think.');
    const sent = await act(item, 'message', { reason: 'Hi, just checking in. We are glad you are here.' });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.json.item.status, 'open');
    assert.ok((await notices(writer.token)).some((n) => n.kind === 'moderator_message'));
  });

  test('members and visitors cannot read or act on the queue', async () => {
    const { flagger, item } = await flaggedReply('Another evening, another list of chores.');
    assertApiError(await api('GET', '/api/v1/review', undefined, flagger.token), 403, { code: 'moderators_only' });
    assertApiError(await api('GET', '/api/v1/review'), 401);
    assertApiError(await act(item, 'dismiss', {}, flagger.token), 403);
  });
});

describe('new members', () => {
  test("a link in a new member's first post is held with its reason, then approved", async () => {
    const newbie = await apiMember(forum.server, 'newbie');
    const text = 'This leaflet helped me: https://example.org/sunday-blues';
    const post = await replyApi(forum.server, newbie.token, topic.id, text);
    assert.equal(await visitorText(post.id), '', 'held: visitors do not see it yet');
    const own = await api('GET', `/api/v1/posts/${post.id}`, undefined, newbie.token);
    assert.equal(own.json.post.body_markdown, text, 'its writer does');
    const item = await itemFor(post.id, 'held');
    assert.match(item.reasons, /a link in one of a new member's first posts/);
    assert.deepEqual(item.actions, ['approve', 'edit', 'delete', 'warn', 'suspend', 'escalate']);
    const page = await moderatorWeb.get('/mod/queue');
    assert.match(visibleText(page.text), /Held: a link in one of a new member's first posts/);
    assert.equal((await act(item, 'approve')).status, 200);
    assert.equal(await visitorText(post.id), text);
  });

  test('a new member may include a few links at most; the limit lifts with trust', async () => {
    const newbie = await apiMember(forum.server, 'links');
    const many = 'Some links: https://a.example https://b.example https://c.example';
    const refused = await api('POST', `/api/v1/topics/${topic.id}/posts`, { body: many }, newbie.token);
    assertApiError(refused, 422, { code: 'too_many_links', field: 'body' });
    await setTrust(newbie.username, 'basic');
    const posted = await replyApi(forum.server, newbie.token, topic.id, many);
    assert.equal(await visitorText(posted.id), many, 'basic members are not held');
  });

  test('a post that may speak of risk is never held, even with a link', async () => {
    const newbie = await apiMember(forum.server, 'risk');
    const text = `${kCrisis} I read https://example.org/last-note`;
    const asked = await askApi(forum.server, newbie.token, forum.category.id, 'Tonight, before I go', text);
    assert.equal(await visitorText(asked.post.id), text);
  });
});

describe('flags hide a post at the threshold', () => {
  test('three basic members flag: hidden for visitors, the writer told; dismiss shows it again', async () => {
    const writer = await basicMember('flagged');
    const text = 'Nobody here knows anything about real grief.';
    const post = await replyApi(forum.server, writer.token, topic.id, text);
    const flaggers = [await basicMember('f1'), await basicMember('f2'), await basicMember('f3')];
    await flag(flaggers[0].token, post.id);
    await flag(flaggers[0].token, post.id);  // a second click is not a second voice
    await flag(flaggers[1].token, post.id, 'other', 'Dismissive of everyone here.');
    assert.equal(await visitorText(post.id), text, 'two flags do not hide it');
    await flag(flaggers[2].token, post.id, 'unkind');
    assert.equal(await visitorText(post.id), '', 'hidden after the third');
    const topicPage = await forum.server.client().get(`/t/${topic.id}`);
    assert.ok(!topicPage.text.includes(text), 'not on the topic page either');
    const told = (await notices(writer.token)).find((n) => n.kind === 'post_hidden');
    assert.ok(told, 'the writer is told privately');
    assert.match(told.body_html, /until a moderator has read it/);
    const own = await api('GET', `/api/v1/posts/${post.id}`, undefined, writer.token);
    assert.equal(own.json.post.body_markdown, text, 'the writer still sees it');

    const items = (await queue()).filter((i) => i.post.id === post.id && i.kind === 'flag');
    assert.equal(items.length, 3, 'one item per member who flagged');
    assert.equal((await act(items[0], 'dismiss')).status, 200);
    assert.equal(await visitorText(post.id), text, 'shown again');
    const still = (await queue()).filter((i) => i.post.id === post.id);
    assert.equal(still.length, 0, 'the other flags are settled by the same decision');
  });

  test('new members weigh less: three new members do not hide a post', async () => {
    const writer = await basicMember('lighter');
    const text = 'Some days are just grey.';
    const post = await replyApi(forum.server, writer.token, topic.id, text);
    for (let i = 0; i < 3; i += 1) await flag((await apiMember(forum.server, `nf${i}`)).token, post.id);
    assert.equal(await visitorText(post.id), text);
  });
});

describe('watched words', () => {
  test('admins add and remove them; others cannot', async () => {
    const member = await basicMember('ww');
    assertApiError(await api('GET', '/api/v1/admin/watched-words', undefined, member.token), 403, { code: 'admins_only' });
    assertApiError(await api('GET', '/api/v1/admin/watched-words', undefined, moderator.token), 403, { code: 'admins_only' });
    const added = await api('POST', '/api/v1/admin/watched-words', { pattern: 'zorbleflux', action: 'flag' }, forum.admin.token);
    assert.equal(added.status, 201, added.text);
    assertApiError(await api('POST', '/api/v1/admin/watched-words', { pattern: 'zorbleflux', action: 'hold' }, forum.admin.token), 409);
    assertApiError(await api('POST', '/api/v1/admin/watched-words', { pattern: 'x1', action: 'replace' }, forum.admin.token), 422, { field: 'replacement' });
    assertApiError(await api('POST', '/api/v1/admin/watched-words', { pattern: 'x2', action: 'shout' }, forum.admin.token), 422, { field: 'action' });
    const listed = await api('GET', '/api/v1/admin/watched-words', undefined, forum.admin.token);
    assert.ok(listed.json.watched_words.some((w) => w.pattern === 'zorbleflux' && w.action === 'flag'));
    assert.equal((await api('DELETE', `/api/v1/admin/watched-words/${added.json.watched_word.id}`, undefined, forum.admin.token)).status, 204);
    assertApiError(await api('DELETE', `/api/v1/admin/watched-words/${added.json.watched_word.id}`, undefined, forum.admin.token), 404);
  });

  test('block, hold, replace and flag, as a writer meets them', async () => {
    for (const [pattern, action, replacement] of [
      ['casinobonus*', 'block'], ['holdmeword', 'hold'], ['bit.ly', 'replace', '(a shortened link)'], ['flagmeword', 'flag'],
    ]) {
      const response = await api('POST', '/api/v1/admin/watched-words', { pattern, action, replacement }, forum.admin.token);
      assert.equal(response.status, 201, `${pattern}: ${response.text}`);
    }
    const writer = await basicMember('wwriter');

    // block: refused with a clear message; through the web form the text stays.
    const blocked = await api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'Win big at casinobonuses today' }, writer.token);
    const error = assertApiError(blocked, 422, { code: 'watched_word_blocked', field: 'body' });
    assert.match(error.message, /does not allow "casinobonuses"/);
    const web = await formMember(forum.server, 'wweb');
    await setTrust(web.username, 'basic');
    const form = await web.get('/new');
    const typed = 'My whole story, and then casinobonus links everywhere.';
    const posted = await web.submit(form.text, '/new', { category_id: forum.category.id, title: 'A long week of spam', body: typed });
    assertHtml(posted, 422);
    assert.equal(fieldValue(posted.text, 'body', '/new'), typed, 'the text is kept in the form');
    assert.match(formErrors(posted.text), /does not allow "casinobonus"/);

    // hold: saved, waiting for a moderator.
    const held = await replyApi(forum.server, writer.token, topic.id, 'Something with holdmeword in it.');
    assert.equal(await visitorText(held.id), '');
    assert.match((await itemFor(held.id, 'held')).reasons, /watched word "holdmeword"/);

    // replace: the words are swapped before saving.
    const replaced = await replyApi(forum.server, writer.token, topic.id, 'See bit.ly for the leaflet.');
    assert.equal(replaced.body_markdown, 'See (a shortened link) for the leaflet.');

    // flag: published, and queued for a look without a member's name on it.
    const flagged = await replyApi(forum.server, writer.token, topic.id, 'A post with flagmeword.');
    assert.equal(await visitorText(flagged.id), 'A post with flagmeword.');
    const item = await itemFor(flagged.id, 'flag');
    assert.equal(item.reporter, undefined);
    assert.match(item.reasons, /watched word "flagmeword"/);
  });

  test('the admin page explains each action and adds and removes words', async () => {
    const admin = forum.server.client();
    await admin.get('/login');
    assert.equal((await admin.postForm('/login', { username: forum.admin.username, password: forum.admin.password })).status, 303);
    const page = await admin.get('/admin/watched-words');
    assertHtml(page, 200);
    assert.match(visibleText(page.text), /for spam and slurs only/);
    const bad = await admin.submit(page.text, '/admin/watched-words', { pattern: 'wordy', action: 'replace', replacement: '' });
    assertHtml(bad, 422);
    assert.equal(fieldValue(bad.text, 'pattern', '/admin/watched-words'), 'wordy');
    const added = await admin.submit(page.text, '/admin/watched-words', { pattern: 'webword', action: 'hold' });
    assert.equal(added.status, 303, visibleText(added.text).slice(0, 300));
    const listed = await admin.get(added.location);
    assert.match(visibleText(listed.text), /webword Hold for review/);
    const remove = findForms(listed.text).find((f) => /\/remove$/.test(f.action) && f.html.includes('webword'));
    assert.ok(remove, 'a remove button for the word');
    assert.equal((await admin.submit(listed.text, remove.action)).status, 303);
    assert.ok(!(await admin.get('/admin/watched-words')).text.includes('<code>webword</code>'));
    const member = await formMember(forum.server, 'wwno');
    assertHtml(await member.get('/admin/watched-words'), 403);
  });
});

describe('slow mode', () => {
  test('a second reply too soon gets 429 slow_mode; moderators are exempt; off lifts it', async () => {
    const slow = (await askApi(forum.server, asker.token, forum.category.id, 'A heated one', 'Let us keep it calm.')).topic;
    const member = await basicMember('slow');
    assertApiError(await api('PATCH', `/api/v1/topics/${slow.id}`, { slow_mode_seconds: 300 }, member.token), 403);
    assertApiError(await api('PATCH', `/api/v1/topics/${slow.id}`, { slow_mode_seconds: 100000 }, moderator.token), 422, { code: 'slow_mode_range' });
    const set = await api('PATCH', `/api/v1/topics/${slow.id}`, { slow_mode_seconds: 300 }, moderator.token);
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.topic.slow_mode_seconds, 300);

    await replyApi(forum.server, member.token, slow.id, 'First thought.');
    const again = await api('POST', `/api/v1/topics/${slow.id}/posts`, { body: 'Second thought.' }, member.token);
    const error = assertApiError(again, 429, { code: 'slow_mode' });
    assert.match(error.message, /slow mode/);
    assert.ok(Number(again.headers['retry-after']) > 0 && Number(again.headers['retry-after']) <= 300);

    await replyApi(forum.server, moderator.token, slow.id, 'A moderator note.');
    await replyApi(forum.server, moderator.token, slow.id, 'And another.');

    const page = await forum.server.client().get(`/t/${slow.id}`);
    assert.match(visibleText(page.text), /This topic is in slow mode: everyone can reply once every 5 minutes/);

    // The web control: moderators choose from the presets (or a custom time) on the topic page.
    const modPage = await moderatorWeb.get(`/t/${slow.id}`);
    const off = await moderatorWeb.submit(modPage.text, `/t/${slow.id}/slow-mode`, { minutes: '0' });
    assert.equal(off.status, 303);
    assert.equal((await topicApi(forum.server, slow.id)).topic.slow_mode_seconds, 0);
    await replyApi(forum.server, member.token, slow.id, 'Second thought, now welcome.');
    const custom = await moderatorWeb.submit(modPage.text, `/t/${slow.id}/slow-mode`, { minutes: 'custom', custom_minutes: '2' });
    assert.equal(custom.status, 303);
    assert.equal((await topicApi(forum.server, slow.id)).topic.slow_mode_seconds, 120);
    const refresh = await moderatorWeb.get(`/t/${slow.id}`);
    assert.equal(fieldValue(refresh.text, 'minutes', `/t/${slow.id}/slow-mode`), 'custom');
    assert.equal(fieldValue(refresh.text, 'custom_minutes', `/t/${slow.id}/slow-mode`), '2');
    const memberWeb = await formMember(forum.server, 'slowweb');
    assert.ok(!findForms((await memberWeb.get(`/t/${slow.id}`)).text).some((f) => /slow-mode/.test(f.action)));
    assertHtml(await memberWeb.postForm(`/t/${slow.id}/slow-mode`, { minutes: '0' }), 403);
    // Through the reply form: too soon comes back with the words kept and the wait named.
    assert.equal((await memberWeb.postForm(`/t/${slow.id}/reply`, { body: 'A first web reply.' })).status, 303);
    const tooSoon = await memberWeb.postForm(`/t/${slow.id}/reply`, { body: 'A second, too soon.' });
    assertHtml(tooSoon, 429);
    assert.equal(fieldValue(tooSoon.text, 'body'), 'A second, too soon.');
    assert.match(formErrors(tooSoon.text), /slow mode.*You can reply again in 2 minutes/);
  });
});

describe('two moderators at once', () => {
  test('through the API: one action, one 409', async () => {
    const { item } = await flaggedReply('Nobody asked you.');
    const [a, b] = await Promise.all([
      act(item, 'hide', { reason: 'first' }),
      act(item, 'dismiss', { reason: 'second' }, forum.admin.token),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.status} ${a.text} / ${b.status} ${b.text}`);
    assertApiError(a.status === 409 ? a : b, 409, { code: 'review_changed' });
  });

  test('through the forms: the second sees a calm message and the item as it now is', async () => {
    const { item } = await flaggedReply('Stop whining.');
    const page = await moderatorWeb.get('/mod/queue');
    const done = await act(item, 'warn', { reason: 'Please be kind.' });
    assert.equal(done.status, 200);
    const late = await moderatorWeb.submit(page.text, `/mod/review/${item.id}/action`, { reason: 'Unkind.' },
      (f) => f.values.action === 'hide');
    assertHtml(late, 409);
    assert.match(formErrors(late.text), /Another moderator acted on this item a moment ago/);
    const card = late.text.slice(late.text.indexOf(`id="r${item.id}"`));
    assert.ok(card.length > 0 && /Handled/.test(visibleText(card.slice(0, card.indexOf('</li>')))), 'the fresh item, handled');
  });
});

describe('the queue through the web forms', () => {
  test('approve, hide and suspend, with the flag reason and flagger shown', async () => {
    const a = await flaggedReply('Web: a post to approve.');
    const h = await flaggedReply('Web: a post to hide.');
    const s = await flaggedReply('Web: a writer to suspend.');
    const page = await moderatorWeb.get('/mod/queue');
    assertHtml(page, 200);
    const text = visibleText(page.text);
    assert.match(text, /Flagged as: unkind or abusive/);
    assert.match(text, new RegExp(`Reported by ${a.flagger.username} ?: “This reads as mocking.”`));
    const forms = findForms(page.text).filter((f) => f.action === `/mod/review/${h.item.id}/action`);
    const buttons = forms.flatMap((f) => f.buttons.map((b) => b.value)).filter(Boolean);
    for (const action of ['approve', 'dismiss', 'escalate']) assert.ok(buttons.includes(action), `${action} button`);
    const kinds = forms.map((f) => f.values.action).filter(Boolean);
    assert.deepEqual(kinds.sort(), ['delete', 'edit', 'hide', 'suspend', 'warn'], 'each action the writer reads a reason for has its own form');
    const edit = forms.find((f) => f.values.action === 'edit');
    assert.equal(edit.values.body, 'Web: a post to hide.', 'the edit form holds the post text');
    assert.ok(forms.every((f) => f.values.version === '1' && f.values._csrf));

    const approved = await moderatorWeb.submit(page.text, `/mod/review/${a.item.id}/action`, { action: 'approve' });
    assert.equal(approved.status, 303);
    assert.match(approved.location, /done=approve/);
    assert.equal(await visitorText(a.post.id), 'Web: a post to approve.');

    const unexplained = await moderatorWeb.submit(page.text, `/mod/review/${h.item.id}/action`, { reason: '' },
      (f) => f.values.action === 'hide');
    assertHtml(unexplained, 422);
    assert.match(formErrors(unexplained.text), /short reason/);
    const hidden = await moderatorWeb.submit(page.text, `/mod/review/${h.item.id}/action`,
      { reason: 'Please keep to ideas, not people.' }, (f) => f.values.action === 'hide');
    assert.equal(hidden.status, 303);
    assert.equal(await visitorText(h.post.id), '');
    // Undone from the post itself, where a moderator reading the topic finds it.
    const topicPage = await moderatorWeb.follow(`/p/${h.post.id}`);
    const showForm = findForms(topicPage.text).find((f) => f.action === `/p/${h.post.id}/show`);
    assert.ok(showForm, 'a hidden post offers "Show this post again" to moderators');
    assert.match(visibleText(topicPage.text), /A moderator hid this post: members cannot see it\./);
    assertApiError(await api('POST', `/api/v1/posts/${h.post.id}/show`, {}, h.writer.token), 403, { code: 'moderators_only' });
    assertApiError(await api('POST', `/api/v1/posts/${h.post.id}/show`, {}), 401, {});
    const shown = await moderatorWeb.submit(topicPage.text, `/p/${h.post.id}/show`, { reason: 'Fair on a second read.' });
    assert.equal(shown.status, 303);
    assert.equal(await visitorText(h.post.id), 'Web: a post to hide.');
    const told = await api('GET', '/api/v1/me/notices', undefined, h.writer.token);
    assert.match(told.json.notices[0].body_html, /Fair on a second read\./);
    // The record, through the API as on /mod/log.
    assertApiError(await api('GET', '/api/v1/modlog', undefined, h.writer.token), 403, { code: 'moderators_only' });
    const log = await api('GET', '/api/v1/modlog', undefined, moderator.token);
    assert.equal(log.status, 200, log.text);
    const entry = log.json.entries.find((e) => e.action === 'post.shown_again' && e.subject.id === h.post.id);
    assert.ok(entry, 'showing again is on the record');
    assert.equal(entry.subject.kind, 'post');
    assert.equal(entry.actor.username, moderatorWeb.username);
    assert.equal(entry.reason, 'Fair on a second read.');
    // And the writer's standing, as the member panel shows it.
    assertApiError(await api('GET', `/api/v1/users/${h.writer.username}/standing`, undefined, h.flagger.token), 403, { code: 'moderators_only' });
    const standing = await api('GET', `/api/v1/users/${h.writer.username}/standing`, undefined, moderator.token);
    assert.equal(standing.status, 200, standing.text);
    assert.equal(standing.json.user.username, h.writer.username);
    assert.equal(standing.json.user.suspended, false);
    assert.ok(standing.json.user.post_count >= 1);
    assert.equal(typeof standing.json.user.flags_upheld, 'number');

    const noReason = await moderatorWeb.submit(page.text, `/mod/review/${s.item.id}/action`, { suspend_days: '2', reason: '' },
      (f) => f.values.action === 'suspend');
    assertHtml(noReason, 422);
    const kept = findForms(noReason.text).find((f) => f.action === `/mod/review/${s.item.id}/action` && f.values.action === 'suspend');
    assert.equal(kept.values.suspend_days, '2', 'the days are kept');
    const suspended = await moderatorWeb.submit(page.text, `/mod/review/${s.item.id}/action`,
      { suspend_days: '2', reason: 'Two days to cool off.' }, (f) => f.values.action === 'suspend');
    assert.equal(suspended.status, 303, visibleText(suspended.text).slice(0, 300));
    assertApiError(await api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'Back.' }, s.writer.token), 403, { code: 'suspended' });
  });
});

describe('members: suspension, trust and roles', () => {
  test('through the API: suspend with a reason, lift; trust; who may do it', async () => {
    const member = await basicMember('standing');
    const other = await basicMember('bystander');
    const path = `/api/v1/users/${member.username}/suspend`;
    assertApiError(await api('POST', path, { days: 3, reason: 'x' }, other.token), 403);
    assertApiError(await api('POST', path, { days: 0, reason: 'x' }, moderator.token), 422, { field: 'days' });
    assertApiError(await api('POST', path, { days: 3, reason: ' ' }, moderator.token), 422, { field: 'reason' });
    const suspended = await api('POST', path, { days: 3, reason: 'A pause after a hard thread.' }, moderator.token);
    assert.equal(suspended.status, 200, suspended.text);
    assert.equal(suspended.json.user.suspended, true);
    assert.ok(suspended.json.user.suspended_until);
    assertApiError(await api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'Hi' }, member.token), 403, { code: 'suspended' });
    assert.equal((await api('GET', '/api/v1/me/export', undefined, member.token)).status, 200, 'their data is still theirs');
    const lifted = await api('DELETE', path, undefined, moderator.token);
    assert.equal(lifted.status, 200, lifted.text);
    assert.equal(lifted.json.user.suspended, false);
    await replyApi(forum.server, member.token, topic.id, 'Back, and calmer.');

    assertApiError(await api('PUT', `/api/v1/users/${member.username}/trust`, { level: 'trusted' }, moderator.token), 403, { code: 'admins_only' });
    assertApiError(await api('PUT', `/api/v1/users/${member.username}/trust`, { level: 'guru' }, forum.admin.token), 422, { field: 'level' });
    await setTrust(member.username, 'trusted');
    assertApiError(await api('POST', `/api/v1/users/${moderatorWeb.username}/suspend`, { days: 1, reason: 'x' }, moderator.token), 403);
    assertApiError(await api('POST', `/api/v1/users/${forum.admin.username}/suspend`, { days: 1, reason: 'x' }, moderator.token), 403);
    assertApiError(await api('PUT', `/api/v1/users/${member.username}/role`, { role: 'moderator' }, moderator.token), 403);
    assertApiError(await api('PUT', `/api/v1/users/${forum.admin.username}/role`, { role: 'member' }, forum.admin.token), 403);
    assertApiError(await api('PUT', `/api/v1/users/${member.username}/role`, { role: 'admin' }, forum.admin.token), 422, { field: 'role' });
  });

  test('through the member panel: suspend and lift (moderators), trust (admins)', async () => {
    const member = await basicMember('panel');
    const panelPath = `/mod/members/${member.username}`;
    const page = await moderatorWeb.get(panelPath);
    assertHtml(page, 200);
    assert.ok(!findForms(page.text).some((f) => f.action.endsWith('/trust')), 'moderators do not set trust');
    const bad = await moderatorWeb.submit(page.text, `${panelPath}/suspend`, { days: '5', reason: '' });
    assertHtml(bad, 422);
    assert.equal(fieldValue(bad.text, 'days', `${panelPath}/suspend`), '5');
    const done = await moderatorWeb.submit(page.text, `${panelPath}/suspend`, { days: '5', reason: 'Time to rest.' });
    assert.equal(done.status, 303);
    const after = await moderatorWeb.get(done.location);
    assert.match(visibleText(after.text), /Suspended until .*Time to rest/);
    const lift = await moderatorWeb.submit(after.text, `${panelPath}/unsuspend`);
    assert.equal(lift.status, 303);
    assert.match(visibleText((await moderatorWeb.get(lift.location)).text), /Can post/);

    const profile = await moderatorWeb.get(`/u/${member.username}`);
    assert.ok(profile.text.includes(`href="${panelPath}"`), 'the profile links to the panel for moderators');
    const memberWeb = await formMember(forum.server, 'nopanel');
    assertHtml(await memberWeb.get(panelPath), 403);
    assert.ok(!(await memberWeb.get(`/u/${member.username}`)).text.includes(panelPath));
  });
});

describe('anonymous posts and the logged reveal', () => {
  test('moderators see "Anonymous member" until they reveal with a reason; the reveal is in the modlog', async () => {
    const writer = await basicMember('anon');
    const post = await replyApi(forum.server, writer.token, topic.id, 'I have never told anyone this.', { anonymous: true });
    const flagger = await basicMember('anonflag');
    await flag(flagger.token, post.id, 'other', 'Not sure this is ok.');
    const item = await itemFor(post.id, 'flag');
    assert.equal(item.anonymous, true);
    assert.equal(item.writer, null, 'the queue does not name an anonymous writer');
    assert.ok(!JSON.stringify(item).includes(writer.username));

    const page = await moderatorWeb.get('/mod/queue');
    const card = page.text.slice(page.text.indexOf(`id="r${item.id}"`));
    assert.match(visibleText(card.slice(0, card.indexOf('</li>'))), /By Anonymous member/);
    assert.ok(!page.text.includes(writer.username), 'the queue page does not name them either');

    const path = `/api/v1/posts/${post.id}/reveal`;
    assertApiError(await api('POST', path, { reason: 'curious' }, flagger.token), 403, { code: 'moderators_only' });
    assertApiError(await api('POST', path, { reason: 'curious' }), 401);
    assertApiError(await api('POST', path, { reason: '  ' }, moderator.token), 422, { field: 'reason' });
    const revealed = await api('POST', path, { reason: 'Checking this is not a banned member.' }, moderator.token);
    assert.equal(revealed.status, 200, revealed.text);
    assert.equal(revealed.json.writer.username, writer.username);

    // The web reveal: a form from the post, the name on the page that answers it.
    const topicPage = await moderatorWeb.follow(`/p/${post.id}`);
    assert.ok(topicPage.text.includes(`href="/p/${post.id}/reveal"`), 'moderators get a reveal link on the post');
    const visitorPage = await forum.server.client().follow(`/p/${post.id}`);
    assert.ok(visitorPage.text.includes('I have never told anyone this.'), 'the visitor is on the same page');
    assert.ok(!visitorPage.text.includes(`/p/${post.id}/reveal`), 'visitors get no reveal link');
    const form = await moderatorWeb.get(`/p/${post.id}/reveal`);
    assertHtml(form, 200);
    const noReason = await moderatorWeb.submit(form.text, `/p/${post.id}/reveal`, { reason: '' });
    assertHtml(noReason, 422);
    assert.ok(!noReason.text.includes(writer.username));
    const shown = await moderatorWeb.submit(form.text, `/p/${post.id}/reveal`, { reason: 'Safety check after a report.' });
    assertHtml(shown, 200);
    assert.match(visibleText(shown.text), new RegExp(`written by ${writer.username}`));

    const log = await moderatorWeb.get('/mod/log');
    const entries = visibleText(log.text);
    assert.match(entries, new RegExp(`${moderator.username} revealed who wrote an anonymous post · post ${post.id}`));
    assert.match(entries, /“Checking this is not a banned member.”/);
    assert.match(entries, new RegExp(`${moderatorWeb.username} revealed who wrote an anonymous post`));
    assert.match(entries, /“Safety check after a report.”/);

    const notAnonymous = await replyApi(forum.server, writer.token, topic.id, 'Signed with my name.');
    assertApiError(await api('POST', `/api/v1/posts/${notAnonymous.id}/reveal`, { reason: 'x' }, moderator.token), 422, { code: 'not_anonymous' });
  });
});

describe('flagging through the web form', () => {
  test('a member flags a post with a reason; "other" needs a note; the writer cannot flag their own', async () => {
    const writer = await basicMember('webflagged');
    const post = await replyApi(forum.server, writer.token, topic.id, 'Flag me through the web.');
    const member = await formMember(forum.server, 'webflagger');
    const form = await member.get(`/p/${post.id}/flag`);
    assertHtml(form, 200);
    const noNote = await member.submit(form.text, `/p/${post.id}/flag`, { reason: 'other', note: '' });
    assertHtml(noNote, 422);
    const sent = await member.submit(form.text, `/p/${post.id}/flag`, { reason: 'spam' });
    assert.equal(sent.status, 303);
    assert.match(visibleText((await member.get(sent.location)).text), /Thank you for telling us/);
    assert.equal((await itemFor(post.id, 'flag')).reasons, 'spam');
    assertHtml(await member.get(`/p/${(await replyApi(forum.server, (await sessionFor(member)), topic.id, 'Mine.')).id}/flag`), 403);
  });
});

// The API token of a member who signed in through the forms.
async function sessionFor(client) {
  const response = await api('POST', '/api/v1/sessions', { username: client.username, password: client.password });
  assert.equal(response.status, 201);
  return response.json.token;
}
