// Privacy and leaving end to end (issue 5): "download my data" as JSON and as a readable page,
// and account deletion through the API and the web form, in both modes. Deletion is proved the
// hard way: the raw SQLite file and its write-ahead log are searched for the erased words, and
// search, the topic pages, the API and the old sessions are all asked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

import {
  apiMember,
  askApi,
  assertApiError,
  formErrors,
  kPassword,
  replyApi,
  topicApi,
  uniqueName,
  visibleText,
  withForum,
  within,
} from './harness.mjs';

// How long the indexer may take to follow the change feed (it polls every 200 ms).
const kIndexWaitMs = 5_000;

// A member with an email address, signed in through the API: {username, email, id, token}.
async function memberWithEmail(server, prefix) {
  const client = server.client();
  const username = uniqueName(prefix);
  const email = `${username}@example.org`;
  const created = await client.api('POST', '/api/v1/users', { username, password: kPassword, email });
  assert.equal(created.status, 201, `register ${username}: ${created.status} ${created.text}`);
  const session = await client.api('POST', '/api/v1/sessions', { username, password: kPassword });
  assert.equal(session.status, 201, session.text);
  return { username, email, id: created.json.user.id, token: session.json.token };
}

// The same member in a browser-like client holding a session cookie (signed in through the form).
async function browserFor(server, username) {
  const client = server.client();
  await client.get('/login');
  const login = await client.postForm('/login', { username, password: kPassword });
  assert.equal(login.status, 303, `sign in ${username}: ${login.status} ${formErrors(login.text)}`);
  assert.ok(client.signedInCookie());
  return client;
}

async function searchHits(server, query, extra = '') {
  const response = await server.client().api('GET', `/api/v1/search?q=${encodeURIComponent(query)}${extra}`);
  assert.equal(response.status, 200, `search ${query}: ${response.status} ${response.text}`);
  return response.json.hits ?? response.json.results ?? [];
}

// The raw bytes of the database and its write-ahead log, as an attacker with the disk would read them.
async function rawDatabase(server) {
  const file = path.join(server.dataDir, 'kindred.db');
  const parts = [await readFile(file)];
  for (const extra of ['-wal', '-journal']) {
    if (existsSync(file + extra)) parts.push(await readFile(file + extra));
  }
  return Buffer.concat(parts);
}

function assertNotInFile(bytes, needles) {
  for (const needle of needles) {
    assert.equal(bytes.indexOf(Buffer.from(needle, 'utf8')), -1, `"${needle}" is still in the database file`);
  }
}

describe('privacy and leaving', () => {
  test('the export holds everything the member wrote, anonymous posts included, and no secret', async () => {
    await withForum(async ({ server, category }) => {
      const ann = await memberWithEmail(server, 'ann');
      const bob = await apiMember(server, 'bob');
      const cat = await apiMember(server, 'cat');
      const named = await askApi(server, ann.token, category.id, 'Crying after therapy every week', 'Is it normal to cry on the bus home?');
      const secretBody = 'My family must never know about this, so I ask without my name.';
      const hidden = await server.client().api('POST', '/api/v1/topics',
        { category_id: category.id, title: 'Something I cannot say with my name', body: secretBody, anonymous: true }, { token: ann.token });
      assert.equal(hidden.status, 201, hidden.text);
      const bobs = await askApi(server, bob.token, category.id, 'Grief on birthdays is hard', 'The first one without her.');
      const reply = await replyApi(server, ann.token, bobs.topic.id, 'Lighting a candle helped me on hers.');

      const client = server.client();
      assert.equal((await client.api('POST', `/api/v1/posts/${bobs.post.id}/reactions`, { kind: 'hug' }, { token: ann.token })).status, 201);
      const blocked = await client.api('POST', `/api/v1/users/${cat.username}/block`, undefined, { token: ann.token });
      assert.ok([200, 201, 204].includes(blocked.status), `block: ${blocked.status} ${blocked.text}`);
      const flagged = await client.api('POST', `/api/v1/posts/${bobs.post.id}/flags`, { reason: 'other', note: 'Wrong category, I think.' }, { token: ann.token });
      assert.equal(flagged.status, 201, flagged.text);
      // Someone worried about ann: she gets a private, kind message (a notice).
      const worried = await client.api('POST', `/api/v1/posts/${named.post.id}/flags`, { reason: 'worried' }, { token: bob.token });
      assert.equal(worried.status, 201, worried.text);

      const response = await client.api('GET', '/api/v1/me/export', undefined, { token: ann.token });
      assert.equal(response.status, 200, response.text);
      assert.match(response.headers['content-disposition'] ?? '', /^attachment; filename="kindred-data-\d{4}-\d\d-\d\d\.json"$/);
      assert.match(response.headers['cache-control'] ?? '', /no-store/);
      const data = response.json;
      assert.equal(data.account.username, ann.username);
      assert.equal(data.account.email, ann.email);
      const bodies = Object.fromEntries(data.posts.map((p) => [p.id, p]));
      assert.equal(bodies[named.post.id].body_markdown, 'Is it normal to cry on the bus home?');
      assert.equal(bodies[hidden.json.post.id].body_markdown, secretBody);
      assert.equal(bodies[hidden.json.post.id].anonymous, true, 'anonymous posts are theirs too');
      assert.equal(bodies[reply.id].topic.title, 'Grief on birthdays is hard');
      assert.equal(data.posts.length, 3);
      assert.deepEqual(data.reactions.map((r) => [r.post_id, r.kind]), [[bobs.post.id, 'hug']]);
      assert.deepEqual(data.blocked.map((b) => b.username), [cat.username]);
      assert.equal(data.flags.length, 1);
      assert.equal(data.flags[0].post_id, bobs.post.id);
      assert.equal(data.flags[0].note, 'Wrong category, I think.');
      assert.ok(data.notices.some((n) => n.kind === 'worry'), `the worry message is in notices: ${JSON.stringify(data.notices)}`);
      assert.ok(data.sessions.length >= 1 && data.sessions[0].started_at && data.sessions[0].expires_at);
      // Secrets are described, never given.
      assert.deepEqual(data.not_included.map((n) => n.item), ['password', 'session_tokens']);
      assert.ok(!response.text.includes('$argon2'), 'no password hash');
      assert.ok(!response.text.includes(ann.token), 'no session token');
      assert.ok(!/token_hash|csrf|password_hash/.test(response.text), 'no token hash or CSRF token');
      // Nobody else's export: a visitor is asked to sign in, and bob's export has none of ann's posts.
      assertApiError(await server.client().api('GET', '/api/v1/me/export'), 401);
      const bobsExport = await client.api('GET', '/api/v1/me/export', undefined, { token: bob.token });
      assert.ok(!bobsExport.text.includes(secretBody));

      // The readable page: a download that needs nothing from the server to open.
      const browser = await browserFor(server, ann.username);
      const account = await browser.get('/account');
      assert.equal(account.status, 200);
      assert.match(account.text, /href="\/api\/v1\/me\/export"/);
      assert.match(account.text, /href="\/account\/export.html"/);
      assert.match(account.text, /href="\/account\/delete"/);
      const page = await browser.get('/account/export.html');
      assert.equal(page.status, 200, page.text.slice(0, 300));
      assert.match(page.headers['content-type'], /^text\/html/);
      assert.match(page.headers['content-disposition'] ?? '', /^attachment; filename="kindred-data-\d{4}-\d\d-\d\d\.html"$/);
      const text = visibleText(page.text);
      for (const expected of [ann.username, ann.email, secretBody, 'Lighting a candle helped me on hers.', cat.username, 'Wrong category, I think.']) {
        assert.ok(text.includes(expected), `the page shows "${expected}"`);
      }
      assert.match(text, /anonymous/);
      assert.ok(!/<link\b|<script\b|\bsrc=|@import|url\(/i.test(page.text), 'self-contained: no external assets');
      assert.ok(!page.text.includes('$argon2'));
      const visitorPage = await server.client().get('/account/export.html');
      assert.equal(visitorPage.status, 303, 'visitors are sent to sign in');
    });
  });

  test('deleting through the API and keeping the posts: the name is gone everywhere, the words stay', async () => {
    await withForum(async ({ server, category }) => {
      const kim = await memberWithEmail(server, 'kim');
      const peer = await apiMember(server, 'peer');
      const otherSession = (await server.client().api('POST', '/api/v1/sessions', { username: kim.username, password: kPassword })).json.token;
      const kept = 'Walking the dog at dawn became my anchor through the divorce.';
      const asked = await askApi(server, kim.token, category.id, 'What anchors you on hard mornings?', kept);
      await replyApi(server, peer.token, asked.topic.id, 'Thank you, that is a lovely idea.');
      await within(kIndexWaitMs, async () => assert.equal((await searchHits(server, 'anchor', `&author=${kim.username}`)).length, 1));

      const client = server.client();
      assertApiError(await client.api('DELETE', '/api/v1/me', { password: 'not my password', posts: 'keep' }, { token: kim.token }), 422, { field: 'password' });
      assertApiError(await client.api('DELETE', '/api/v1/me', { password: kPassword, posts: 'maybe' }, { token: kim.token }), 422, { field: 'posts' });
      assertApiError(await client.api('DELETE', '/api/v1/me', { password: kPassword }, { token: kim.token }), 400, { field: 'posts' });
      assertApiError(await client.api('DELETE', '/api/v1/me', { password: kPassword, posts: 'keep' }), 401);
      const deleted = await client.api('DELETE', '/api/v1/me', { password: kPassword, posts: 'keep' }, { token: kim.token });
      assert.equal(deleted.status, 204, deleted.text);

      // Signed out everywhere, and the account cannot be signed in to.
      for (const token of [kim.token, otherSession]) {
        assertApiError(await client.api('GET', '/api/v1/me/export', undefined, { token }), 401);
      }
      assertApiError(await client.api('POST', '/api/v1/sessions', { username: kim.username, password: kPassword }), 401);
      // The profile is gone.
      assertApiError(await client.api('GET', `/api/v1/users/${kim.username}`), 404);
      assert.equal((await client.get(`/u/${kim.username}`)).status, 404);

      // The words stay for the people they help, under no name.
      const topic = await topicApi(server, asked.topic.id);
      assert.equal(topic.posts[0].body_markdown, kept);
      const topicJson = JSON.stringify(topic);
      assert.ok(!topicJson.includes(kim.username), `no name in the topic API: ${topicJson.slice(0, 400)}`);
      const topicPage = await client.get(`/t/${asked.topic.id}`);
      assert.equal(topicPage.status, 200);
      assert.ok(!topicPage.text.includes(kim.username), 'no name on the topic page');
      assert.match(visibleText(topicPage.text), /former member/i);
      const latest = await client.api('GET', '/api/v1/topics');
      assert.ok(!latest.text.includes(kim.username), 'no name in the topic list');

      await within(kIndexWaitMs, async () => {
        assert.equal((await searchHits(server, 'anchor', `&author=${kim.username}`)).length, 0, 'the old name finds nothing');
        const hits = await searchHits(server, 'anchor');
        assert.equal(hits.length, 1, 'the kept post is still found');
        assert.ok(!JSON.stringify(hits).includes(kim.username), 'search results carry no name');
      });
      assertNotInFile(await rawDatabase(server), [kim.username, kim.email]);
    });
  });

  test('deleting through the API with the posts: the words are gone from the file, search, pages and caches', async () => {
    await withForum(async ({ server, category }) => {
      const dee = await memberWithEmail(server, 'dee');
      const peer = await apiMember(server, 'peer');
      const words = {
        answered: 'Marigolds on the windowsill remind me of my grandmother every morning.',
        alone: 'Nobody knows that I sleep in the car some nights after the arguments.',
        reply: 'Hydrangeas helped me through the first spring without him.',
        anonymous: 'Pomegranate seeds were the only food I could face that winter.',
      };
      const answered = await askApi(server, dee.token, category.id, 'Flowers that carry memories of someone', words.answered);
      await replyApi(server, peer.token, answered.topic.id, 'Sunflowers do that for me.');
      const aloneTitle = 'Sleeping in the car after arguments at home';
      const alone = await askApi(server, dee.token, category.id, aloneTitle, words.alone);
      const peers = await askApi(server, peer.token, category.id, 'Where do you go when home feels unsafe?', 'Sometimes I sit in the car after arguments.');
      await replyApi(server, dee.token, peers.topic.id, words.reply);
      await replyApi(server, dee.token, peers.topic.id, words.anonymous, { anonymous: true });
      await within(kIndexWaitMs, async () => {
        for (const word of ['marigolds', 'hydrangeas', 'pomegranate', 'windowsill']) {
          assert.equal((await searchHits(server, word)).length, 1, `${word} is searchable before`);
        }
      });
      // The check below can see these words: before deletion they are in the file.
      const before = await rawDatabase(server);
      for (const needle of [words.alone, dee.username, dee.email]) assert.notEqual(before.indexOf(Buffer.from(needle)), -1, needle);
      // Fill the "people also asked" cache of the peer's topic, which may name dee's topic.
      await server.client().api('GET', `/api/v1/topics/${peers.topic.id}/related`);
      await server.client().get(`/t/${peers.topic.id}`);

      const deleted = await server.client().api('DELETE', '/api/v1/me', { password: kPassword, posts: 'delete' }, { token: dee.token });
      assert.equal(deleted.status, 204, deleted.text);

      await within(kIndexWaitMs, async () => {
        for (const word of ['marigolds', 'windowsill', 'hydrangeas', 'pomegranate', 'nobody knows']) {
          assert.equal((await searchHits(server, word)).length, 0, `${word} is gone from search`);
        }
      });
      const client = server.client();
      // The topic nobody answered goes whole; the answered one keeps its replies, not dee's words.
      assertApiError(await client.api('GET', `/api/v1/topics/${alone.topic.id}`), 404);
      const kept = await topicApi(server, answered.topic.id);
      const keptJson = JSON.stringify(kept);
      for (const gone of [words.answered, 'Flowers that carry memories', dee.username]) assert.ok(!keptJson.includes(gone), `"${gone}" in ${keptJson.slice(0, 300)}`);
      assert.ok(keptJson.includes('Sunflowers do that for me.'), 'the peer reply stays');
      const peersTopic = await client.get(`/t/${peers.topic.id}`);
      for (const gone of [words.reply, words.anonymous, aloneTitle, 'Flowers that carry memories', dee.username]) {
        assert.ok(!peersTopic.text.includes(gone), `"${gone}" is not on the peer's topic page`);
      }
      const related = await client.api('GET', `/api/v1/topics/${peers.topic.id}/related`);
      assert.ok(!related.text.includes(aloneTitle) && !related.text.includes('Flowers that carry memories'), `related: ${related.text}`);
      assertNotInFile(await rawDatabase(server), [...Object.values(words), aloneTitle, dee.username, dee.email]);
    });
  });

  test('deleting through the web form: a calm page, the password, CSRF, then a goodbye and signed out', async () => {
    await withForum(async ({ server, category }) => {
      const wes = await memberWithEmail(server, 'wes');
      const words = 'Knitting a scarf for each of my nieces kept my hands busy in rehab.';
      await askApi(server, wes.token, category.id, 'Keeping your hands busy in recovery', words);
      const browser = await browserFor(server, wes.username);
      const sessionCookie = browser.signedInCookie();

      const form = await browser.get('/account/delete');
      assert.equal(form.status, 200);
      const text = visibleText(form.text);
      assert.match(text, /former member/);
      assert.match(text, /signed out on every device/);
      assert.match(text, /download your data/i);

      // Without the form's token, nothing happens.
      const forged = await browser.postForm('/account/delete', { password: kPassword, posts: 'delete' }, { csrf: 'x'.repeat(43) });
      assert.equal(forged.status, 403);
      const wrong = await browser.submit(form.text, '/account/delete', { password: 'not my password', posts: 'delete' });
      assert.equal(wrong.status, 422);
      assert.match(formErrors(wrong.text), /password does not match/);
      assert.match(wrong.text, /value="delete" required checked/, 'the choice is kept');
      const unchosen = await browser.submit(form.text, '/account/delete', { password: kPassword });
      assert.equal(unchosen.status, 422);
      assert.match(formErrors(unchosen.text), /choose what should happen to your posts/);

      const done = await browser.submit(form.text, '/account/delete', { password: kPassword, posts: 'delete' });
      assert.equal(done.status, 303, formErrors(done.text));
      assert.equal(done.location, '/goodbye');
      assert.equal(browser.signedInCookie(), undefined, 'the cookie is cleared');
      const goodbye = await browser.get('/goodbye');
      assert.match(visibleText(goodbye.text), /Your account has been deleted/);
      assert.match(visibleText(goodbye.text), /signed out everywhere/);

      // The old cookie and the API token are both dead.
      const stale = server.client();
      stale.cookies.set('kindred_session', sessionCookie);
      assert.equal((await stale.get('/account')).status, 303);
      assertApiError(await server.client().api('GET', '/api/v1/me/export', undefined, { token: wes.token }), 401);
      await within(kIndexWaitMs, async () => assert.equal((await searchHits(server, 'knitting')).length, 0));
      assertNotInFile(await rawDatabase(server), [words, wes.username, wes.email]);
    });
  });

  test('the last admin is asked to make someone else admin first', async () => {
    await withForum(async ({ server, admin }) => {
      const response = await server.client().api('DELETE', '/api/v1/me', { password: admin.password, posts: 'keep' }, { token: admin.token });
      assertApiError(response, 409);
      assert.equal(response.json.error.code, 'last_admin');
      assert.match(response.json.error.message, /make someone else an admin first/);
      assert.equal((await server.client().api('GET', '/api/v1/me/export', undefined, { token: admin.token })).status, 200);
    });
  });

  test('the privacy page is linked from every page and says what is kept and for how long', async () => {
    await withForum(async ({ server }) => {
      const client = server.client();
      const home = await client.get('/');
      assert.match(home.text, /<a href="\/privacy">Privacy<\/a>/);
      const page = await client.get('/privacy');
      assert.equal(page.status, 200);
      const text = visibleText(page.text);
      for (const expected of [/30 days/, /internet address/i, /forgotten after 1 hour without use/, /Anonymous member/, /never learns who flagged/, /delete your account/i]) {
        assert.match(text, expected);
      }
      assert.match(page.text, /aria-current="page">Privacy/);
    });
  });
});
