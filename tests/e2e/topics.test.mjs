// Asking, replying and reading, end to end through the forms and the JSON API, with every limit
// at its boundary, pagination and the friendly 404s.
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
  formMember,
  replyApi,
  startForum,
  topicApi,
  topicIdFrom,
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

const latestTitles = async () => {
  const response = await forum.server.client().api('GET', '/api/v1/topics');
  assert.equal(response.status, 200);
  return response.json.topics.map((t) => t.title);
};

describe('asking through the form', () => {
  test('the ask form posts a question and redirects to it; visitors see it rendered', async () => {
    const asker = await formMember(forum.server, 'asker');
    const form = await asker.get(`/new?category=${forum.category.id}`);
    assertHtml(form, 200);
    const title = 'Is it normal to cry after therapy?';
    const body = 'I have been going for **three weeks** now.\n\nEvery time I leave I *cry* in the car.';
    const response = await asker.postForm('/new', { category_id: forum.category.id, title, body });
    assert.equal(response.status, 303, visibleText(response.text).slice(0, 300));
    const topicId = topicIdFrom(response.location);

    const visitor = forum.server.client();
    const page = await visitor.get(`/t/${topicId}`);
    assertHtml(page, 200);
    assert.ok(page.text.includes(escapeHtml(title)), 'the title is on the page');
    assert.ok(page.text.includes('<strong>three weeks</strong>'), 'Markdown is rendered');
    assert.ok(page.text.includes('<em>cry</em>'));
    assert.ok(visibleText(page.text).includes(asker.username), 'the author is named');
    assert.match(page.text, /<time\b[^>]*(datetime|title)=/i, 'a <time> with the exact time for hover');

    const api = await topicApi(forum.server, topicId);
    assert.equal(api.topic.id, topicId);
    assert.equal(api.topic.title, title);
    assert.equal(api.topic.reply_count, 0);
    assert.equal(api.posts.length, 1);
    assert.equal(api.posts[0].number, 1);
    assert.equal(api.posts[0].body_markdown, body);
    assert.match(api.posts[0].body_html, /<strong>three weeks<\/strong>/);
    assert.deepEqual(api.posts[0].reactions, { helpful: 0, hug: 0, me_too: 0 });
    assert.equal(api.page, 1);
    assert.equal(api.pages, 1);

    const home = await visitor.get('/');
    assertHtml(home, 200);
    assert.ok(home.text.includes(escapeHtml(title)), 'the home page lists the latest topics');
    assert.ok(home.text.includes(escapeHtml(forum.category.name)), 'and the categories');
    const category = await visitor.get(`/c/${forum.category.slug}`);
    assertHtml(category, 200);
    assert.ok(category.text.includes(escapeHtml(title)), 'the category page lists it');
  });

  test('title boundaries: 7 and 151 characters come back with the form filled, 8 and 150 are accepted', async () => {
    const asker = await formMember(forum.server, 'bounds');
    const body = 'A body that is kept when the title is refused.';
    for (const [title, ok] of [
      ['x'.repeat(7), false],
      ['y'.repeat(8), true],
      [`${uniqueName('t')} `.padEnd(150, 'z'), true],
      ['w'.repeat(151), false],
    ]) {
      const response = await asker.postForm('/new', { category_id: forum.category.id, title, body });
      if (ok) {
        assert.equal(response.status, 303, `title of ${title.length}: ${visibleText(response.text).slice(0, 200)}`);
      } else {
        assert.equal(response.status, 422, `title of ${title.length}`);
        assert.equal(fieldValue(response.text, 'title'), title, 'the title as typed');
        assert.equal(fieldValue(response.text, 'body'), body, 'the body as typed');
        assert.ok(!(await latestTitles()).includes(title), 'nothing saved');
      }
    }
  });

  test('the form names the problem in the same words as the API', async () => {
    const asker = await formMember(forum.server, 'words');
    const member = await apiMember(forum.server, 'wordsapi');
    const api = await forum.server.client().api('POST', '/api/v1/topics', { category_id: forum.category.id, title: 'short', body: 'b' }, { token: member.token });
    const error = assertApiError(api, 422, { field: 'title', code: 'title_too_short' });
    const page = await asker.postForm('/new', { category_id: forum.category.id, title: 'short', body: 'b' });
    assert.equal(page.status, 422);
    assert.ok(visibleText(page.text).includes(error.message), `the page says "${error.message}"`);
  });

  test('an empty body and a body over 20,000 characters are refused; exactly 20,000 is accepted', async () => {
    const asker = await formMember(forum.server, 'bodies');
    const title = `Body limits ${uniqueName('b')}`;
    const empty = await asker.postForm('/new', { category_id: forum.category.id, title, body: '   \n  ' });
    assert.equal(empty.status, 422);
    assert.equal(fieldValue(empty.text, 'title'), title);
    const long = await asker.postForm('/new', { category_id: forum.category.id, title, body: 'a'.repeat(20_001) });
    assert.equal(long.status, 422);
    assert.equal(fieldValue(long.text, 'body'), 'a'.repeat(20_001), 'the long body is kept to be shortened');
    const exact = await asker.postForm('/new', { category_id: forum.category.id, title, body: 'a'.repeat(20_000) });
    assert.equal(exact.status, 303);
    assert.equal((await latestTitles()).filter((t) => t === title).length, 1, 'only the accepted one was saved');
  });

  test('a full-length body of emoji (20,000 characters, 240 KB urlencoded) fits through the form', async () => {
    const asker = await formMember(forum.server, 'emoji');
    const title = `Emoji body ${uniqueName('e')}`;
    const body = '\u{1F60A}'.repeat(20_000);
    const response = await asker.postForm('/new', { category_id: forum.category.id, title, body });
    assert.equal(response.status, 303, `status ${response.status}: ${visibleText(response.text).slice(0, 200)}`);
    const shown = await topicApi(forum.server, topicIdFrom(response.location));
    assert.equal(shown.posts[0].body_markdown, body);
    const over = await asker.postForm('/new', { category_id: forum.category.id, title, body: `${body}!` });
    assert.equal(over.status, 422, '20,001 characters are one too many');
  });

  test('a multi-line body as browsers send it (CR LF) is accepted and kept with plain newlines', async () => {
    // Browsers submit textarea line breaks as CR LF (HTML's form encoding), so every
    // multi-line question from a browser arrives like this.
    const asker = await formMember(forum.server, 'crlf');
    const response = await asker.postForm('/new', { category_id: forum.category.id, title: 'Two lines from a browser', body: 'First line.\r\nSecond line.\r\n\r\nNew paragraph.' });
    assert.equal(response.status, 303, `status ${response.status}: ${formErrors(response.text)}`);
    const shown = await topicApi(forum.server, topicIdFrom(response.location));
    assert.equal(shown.posts[0].body_markdown, 'First line.\nSecond line.\n\nNew paragraph.');
    const member = await apiMember(forum.server, 'crlfapi');
    const api = await forum.server.client().api('POST', '/api/v1/topics', { category_id: forum.category.id, title: 'Two lines from the API', body: 'One.\r\nTwo.' }, { token: member.token });
    assert.equal(api.status, 201, api.text);
  });

  test('visitors are asked to sign in instead of getting the form', async () => {
    const visitor = forum.server.client();
    const form = await visitor.get('/new');
    assert.ok([303, 401].includes(form.status) || !/name="title"/.test(form.text), `visitor /new: ${form.status}`);
    await visitor.get('/login');
    const post = await visitor.postForm('/new', { category_id: forum.category.id, title: 'A visitor question', body: 'x' });
    assert.ok([303, 401, 403].includes(post.status), `visitor POST /new: ${post.status}`);
    assert.ok(!(await latestTitles()).includes('A visitor question'));
  });
});

describe('asking through the API', () => {
  test('201 {topic:{id, title, url}, post:{id}}, listed in the category and latest', async () => {
    const member = await apiMember(forum.server, 'apiask');
    const title = `API question ${uniqueName('q')}`;
    const response = await forum.server.client().api('POST', '/api/v1/topics', { category_id: forum.category.id, title, body: 'Body _here_.' }, { token: member.token });
    assert.equal(response.status, 201, response.text);
    const { topic, post } = response.json;
    assert.ok(topic.id && post.id);
    assert.equal(topic.title, title);
    assert.match(topic.url, new RegExp(`/t/${topic.id}\\b`));
    const inCategory = await forum.server.client().api('GET', `/api/v1/categories/${forum.category.slug}/topics?page=1`);
    assert.equal(inCategory.status, 200);
    assert.ok(inCategory.json.topics.some((t) => t.id === topic.id));
    assert.ok((await latestTitles()).includes(title));
    const shown = await topicApi(forum.server, topic.id);
    assert.equal(shown.topic.author?.username ?? shown.topic.author, member.username);
    assert.ok(shown.topic.category, 'the topic names its category');
  });

  test('title and body limits answer 422 with the field; no token answers 401', async () => {
    const member = await apiMember(forum.server, 'apilimits');
    const client = forum.server.client();
    const ask = (title, body, token = member.token) => client.api('POST', '/api/v1/topics', { category_id: forum.category.id, title, body }, { token });
    assertApiError(await ask('x'.repeat(7), 'body'), 422, { field: 'title', code: 'title_too_short' });
    assertApiError(await ask('x'.repeat(151), 'body'), 422, { field: 'title', code: 'title_too_long' });
    assertApiError(await ask('', 'body'), 422, { field: 'title' });
    assertApiError(await ask('A fine title', ''), 422, { field: 'body' });
    assertApiError(await ask('A fine title', 'b'.repeat(20_001)), 422, { field: 'body' });
    assert.equal((await ask('é'.repeat(150), 'Characters, not bytes, are counted.')).status, 201, '150 two-byte characters fit');
    assert.equal((await ask(`${uniqueName('eight')}`.slice(0, 8).padEnd(8, 'q'), 'ü'.repeat(20_000))).status, 201, '20,000 two-byte characters fit');
    assertApiError(await ask('A fine title', 'body', null), 401, { code: 'login_required' });
  });

  test('an unknown or missing category is refused, not half-saved', async () => {
    const member = await apiMember(forum.server, 'nocat');
    const title = `No such category ${uniqueName('n')}`;
    const unknown = await forum.server.client().api('POST', '/api/v1/topics', { category_id: 987654, title, body: 'x' }, { token: member.token });
    assert.ok([404, 422].includes(unknown.status), `unknown category: ${unknown.status}`);
    assertApiError(unknown, unknown.status);
    const missing = await forum.server.client().api('POST', '/api/v1/topics', { title, body: 'x' }, { token: member.token });
    assert.ok([400, 422].includes(missing.status), `missing category: ${missing.status}`);
    assertApiError(missing, missing.status, { field: 'category_id' });
    assert.ok(!(await latestTitles()).includes(title));
  });
});

describe('replying', () => {
  test('the reply form adds a reply in order; quoting pre-fills the reply', async () => {
    const asker = await apiMember(forum.server, 'rasker');
    const { topic, post: question } = await askApi(forum.server, asker.token, forum.category.id, 'Does it get easier with time?', 'The first months were hard.');
    const replier = await formMember(forum.server, 'replier');
    const page = await replier.get(`/t/${topic.id}`);
    assertHtml(page, 200);
    const response = await replier.postForm(`/t/${topic.id}/reply`, { body: 'It did for me, *slowly*.' });
    assert.equal(response.status, 303, visibleText(response.text).slice(0, 300));
    // The answer leads to the new reply: its topic page, or its /p/{id} link that leads there.
    const landing = await replier.follow(response.location);
    assert.equal(landing.status, 200);
    assert.ok(landing.text.includes('<em>slowly</em>'), 'the reply is on the page it leads to');

    const quote = await replier.get(`/t/${topic.id}/reply?quote=${question.id}`);
    assertHtml(quote, 200);
    const prefilled = fieldValue(quote.text, 'body');
    assert.ok(prefilled && /^>/m.test(prefilled) && prefilled.includes('The first months were hard.'), `a quoted body: ${prefilled}`);
    const quoted = await replier.postForm(`/t/${topic.id}/reply`, { body: `${prefilled}\nSame here.`, reply_to: question.id });
    assert.equal(quoted.status, 303);

    const shown = await topicApi(forum.server, topic.id);
    assert.equal(shown.topic.reply_count, 2);
    assert.deepEqual(shown.posts.map((p) => p.number), [1, 2, 3]);
    assert.match(shown.posts[1].body_html, /<em>slowly<\/em>/);
    assert.match(shown.posts[2].body_html, /<blockquote>/);
    const html = (await forum.server.client().get(`/t/${topic.id}`)).text;
    assert.ok(html.indexOf('slowly') < html.indexOf('Same here.'), 'replies in order');
    assert.ok(html.includes('<blockquote>'));
  });

  test('API replies: 201 {post}, reply_to kept; an empty or too long reply is 422 with the form kept', async () => {
    const asker = await apiMember(forum.server, 'apireply');
    const { topic, post: question } = await askApi(forum.server, asker.token, forum.category.id);
    const replier = await apiMember(forum.server, 'apireplier');
    const client = forum.server.client();
    const created = await client.api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'Me too.', reply_to: question.id }, { token: replier.token });
    assert.equal(created.status, 201, created.text);
    assert.ok(created.json.post.id);
    assert.equal(created.json.post.number, 2);
    assert.equal(created.json.post.reply_to, question.id);
    assertApiError(await client.api('POST', `/api/v1/topics/${topic.id}/posts`, { body: '' }, { token: replier.token }), 422, { field: 'body' });
    assertApiError(await client.api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'z'.repeat(20_001) }, { token: replier.token }), 422, { field: 'body' });
    assertApiError(await client.api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'Hi' }), 401, { code: 'login_required' });

    const form = await formMember(forum.server, 'formlong');
    const long = await form.postForm(`/t/${topic.id}/reply`, { body: 'z'.repeat(20_001) });
    assert.equal(long.status, 422);
    assert.equal(fieldValue(long.text, 'body'), 'z'.repeat(20_001));
    assert.equal((await topicApi(forum.server, topic.id)).topic.reply_count, 1, 'nothing half-saved');
  });

  test('replying to an unknown topic is a 404', async () => {
    const member = await apiMember(forum.server, 'r404');
    assertApiError(await forum.server.client().api('POST', '/api/v1/topics/987654/posts', { body: 'Hello' }, { token: member.token }), 404);
    const form = await formMember(forum.server, 'r404f');
    const response = await form.postForm('/t/987654/reply', { body: 'Hello' });
    assert.equal(response.status, 404);
  });
});

describe('reading', () => {
  test('20 posts a page, through the page and the API', async () => {
    const asker = await apiMember(forum.server, 'pages');
    const replier = await apiMember(forum.server, 'pagesr');
    const { topic } = await askApi(forum.server, asker.token, forum.category.id, 'A long thread of replies', 'Post number 1 is the question.');
    for (let n = 2; n <= 45; n += 1) {
      await replyApi(forum.server, n % 2 ? asker.token : replier.token, topic.id, `Reply marker R${n}X.`);
    }
    const one = await topicApi(forum.server, topic.id, 1);
    assert.equal(one.pages, 3);
    assert.equal(one.posts.length, 20);
    assert.deepEqual(one.posts.map((p) => p.number), Array.from({ length: 20 }, (_, i) => i + 1));
    const two = await topicApi(forum.server, topic.id, 2);
    assert.equal(two.page, 2);
    assert.deepEqual(two.posts.map((p) => p.number), Array.from({ length: 20 }, (_, i) => i + 21));
    const three = await topicApi(forum.server, topic.id, 3);
    assert.equal(three.posts.length, 5);
    assert.equal(three.topic.reply_count, 44);

    const visitor = forum.server.client();
    const pageOne = await visitor.get(`/t/${topic.id}`);
    assert.ok(pageOne.text.includes('R20X.') && !pageOne.text.includes('R21X.'));
    assert.match(pageOne.text, new RegExp(`href="/t/${topic.id}\\?page=2"`), 'a link to the next page');
    const pageTwo = await visitor.get(`/t/${topic.id}?page=2`);
    assertHtml(pageTwo, 200);
    assert.ok(pageTwo.text.includes('R21X.') && pageTwo.text.includes('R40X.') && !pageTwo.text.includes('R41X.'));
    const pageThree = await visitor.get(`/t/${topic.id}?page=3`);
    assert.ok(pageThree.text.includes('R45X.'));

    // A link to a post lands on its page.
    const post41 = three.posts[0];
    const link = await visitor.get(`/p/${post41.id}`);
    assert.equal(link.status, 303);
    assert.match(link.location, new RegExp(`/t/${topic.id}\\?page=3`));

    // Past the last page: the last page or a friendly 404, never an error.
    const beyond = await visitor.get(`/t/${topic.id}?page=99`);
    assert.ok([200, 404].includes(beyond.status), `page 99: ${beyond.status}`);
    const junk = await visitor.get(`/t/${topic.id}?page=abc`);
    assert.ok([200, 400, 404].includes(junk.status), `page=abc: ${junk.status}`);
  });

  test('category pages list newest first, 30 a page', async () => {
    const category = await createCategoryApi(forum.server, forum.admin.token, `Paging ${uniqueName('c').slice(-6)}`);
    const member = await apiMember(forum.server, 'catpages');
    const ids = [];
    for (let n = 1; n <= 31; n += 1) {
      ids.push((await askApi(forum.server, member.token, category.id, `Category paging topic ${n}`, 'x')).topic.id);
    }
    const first = await forum.server.client().api('GET', `/api/v1/categories/${category.slug}/topics?page=1`);
    assert.equal(first.status, 200);
    assert.equal(first.json.topics.length, 30);
    assert.equal(first.json.topics[0].id, ids[30], 'newest first');
    const second = await forum.server.client().api('GET', `/api/v1/categories/${category.slug}/topics?page=2`);
    assert.deepEqual(second.json.topics.map((t) => t.id), [ids[0]]);
    const page = await forum.server.client().get(`/c/${category.slug}?page=2`);
    assertHtml(page, 200);
    assert.ok(page.text.includes('Category paging topic 1<') || visibleText(page.text).includes('Category paging topic 1 '));

    // A reply moves a topic up: "last activity" (kept in whole seconds, so let one pass).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await replyApi(forum.server, member.token, ids[0], 'Bringing this one back up.');
    const bumped = await forum.server.client().api('GET', `/api/v1/categories/${category.slug}/topics`);
    assert.equal(bumped.json.topics[0].id, ids[0]);
    assert.equal(bumped.json.topics[0].reply_count, 1);
  });

  test('a profile lists the member\'s posts; the API shows the user', async () => {
    const member = await apiMember(forum.server, 'profile');
    const { topic } = await askApi(forum.server, member.token, forum.category.id, 'Profile question title', 'Profile question body marker.');
    await replyApi(forum.server, member.token, topic.id, 'Profile reply marker.');
    const page = await forum.server.client().get(`/u/${member.username}`);
    assertHtml(page, 200);
    assert.ok(page.text.includes('Profile question title'));
    assert.ok(page.text.includes('Profile reply marker.'));
    const api = await forum.server.client().api('GET', `/api/v1/users/${member.username}`);
    assert.equal(api.status, 200, api.text);
    assert.ok(!api.text.includes('argon2') && !api.text.includes('password'), 'no secrets');
  });

  test('unknown topics, users, posts and categories get a friendly 404 page or a JSON 404', async () => {
    const visitor = forum.server.client();
    for (const path of ['/t/987654', '/u/nobody_here_at_all', '/p/987654', '/c/no-such-category', '/t/abc', '/t/99999999999999999999999', '/no/such/page', '/p/987654/revisions']) {
      const response = await visitor.get(path);
      assertHtml(response, 404);
      assert.ok(response.headers['content-security-policy'], `${path}: CSP on the 404 page`);
      assert.match(response.text, /href="\/"/, `${path}: a way back home`);
      assert.ok(!/exception|stack|sqlite/i.test(response.text), `${path}: no internals shown`);
    }
    for (const path of ['/api/v1/topics/987654', '/api/v1/posts/987654', '/api/v1/users/nobody_here_at_all', '/api/v1/categories/no-such/topics', '/api/v1/posts/987654/revisions']) {
      const response = await visitor.api('GET', path);
      assertApiError(response, 404);
      assert.match(response.headers['content-type'], /application\/json/);
    }
    const member = await apiMember(forum.server, 'n404');
    assertApiError(await visitor.api('PATCH', '/api/v1/posts/987654', { body: 'x' }, { token: member.token }), 404);
    assertApiError(await visitor.api('DELETE', '/api/v1/posts/987654', undefined, { token: member.token }), 404);
    assertApiError(await visitor.api('POST', '/api/v1/posts/987654/reactions', { kind: 'hug' }, { token: member.token }), 404);
  });
});
