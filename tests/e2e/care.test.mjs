// Safety end to end (issue 4): a post that may speak of suicide is published, its writer is
// offered helplines at once, it tops the moderators' queue with its reasons, "waiting for a
// reply" fires after the configured time, and the worry-report limits hold.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apiMember, askApi, assertApiError, replyApi, topicApi, visibleText, formMember, withForum } from './harness.mjs';

const kCrisis = "I can't go on. Tonight I am going to take all my pills. This is goodbye.";
const kIdiom = 'This week is killing me: three deadlines and the kids are off sick. Any tips for coping?';
const kWaitingSeconds = 2;

async function reviewQueue(server, token) {
  const response = await server.client().api('GET', '/api/v1/review', undefined, { token });
  assert.equal(response.status, 200, `review queue: ${response.status} ${response.text}`);
  return response.json.items;
}

async function notices(server, token) {
  const response = await server.client().api('GET', '/api/v1/me/notices', undefined, { token });
  assert.equal(response.status, 200, `notices: ${response.status} ${response.text}`);
  return response.json.notices;
}

describe('safety', () => {
  test('a crisis post is published, its writer gets helplines, and it tops the review queue with reasons', async () => {
    await withForum({}, async ({ server, admin, category }) => {
      const writer = await apiMember(server, 'writer');
      const other = await apiMember(server, 'other');
      await askApi(server, other.token, category.id, 'Feeling low for weeks now', 'Lately I feel like a burden to everyone and there is no point.');
      const asked = await askApi(server, writer.token, category.id, 'I need to say something', kCrisis);
      assert.equal(asked.safety?.level, 'crisis', JSON.stringify(asked));
      assert.ok(asked.safety.resources.length > 0, 'helplines offered');
      const hrefs = asked.safety.resources.flatMap((r) => r.contacts.map((c) => c.href));
      assert.ok(hrefs.length > 0 && hrefs.every((h) => /^(tel|sms|https|mailto):/.test(h)), `one-tap links: ${hrefs}`);

      // Never hidden: a visitor reads the whole post.
      const page = await topicApi(server, asked.topic.id);
      assert.equal(page.posts[0].body_markdown, kCrisis);
      assert.equal(page.posts[0].safety, undefined, 'never marked publicly');

      const queue = await reviewQueue(server, admin.token);
      assert.equal(queue[0].post.id, asked.post.id, 'the crisis post is first');
      assert.equal(queue[0].kind, 'safety');
      assert.equal(queue[0].level, 'crisis');
      assert.ok(queue[0].reasons.length > 0, 'with its reasons');
      assert.ok(queue.some((item) => item.level === 'concern'), 'the concern post is in the queue too');

      const adminNotices = await notices(server, admin.token);
      assert.ok(adminNotices.some((n) => n.kind === 'safety_alert'), 'moderators are told at once');
      assert.ok(adminNotices.every((n) => n.read === false), 'new to them');
      const listedAgain = await server.client().api('GET', '/api/v1/me/notices', undefined, { token: admin.token });
      assert.ok(listedAgain.json.notices.every((n) => n.read === true), 'listed once, they are read, as on the page');
      assert.equal(listedAgain.json.unread, 0);

      assertApiError(await server.client().api('GET', '/api/v1/review', undefined, { token: other.token }), 403);
      const otherReads = await server.client().api('GET', `/api/v1/posts/${asked.post.id}`, undefined, { token: other.token });
      assert.equal(otherReads.json.safety, undefined);
    });
  });

  test('an idiom is not treated as a crisis', async () => {
    await withForum({}, async ({ server, admin, category }) => {
      const writer = await apiMember(server, 'writer');
      const asked = await askApi(server, writer.token, category.id, 'Surviving a hard week', kIdiom);
      assert.equal(asked.safety, undefined);
      assert.equal((await reviewQueue(server, admin.token)).length, 0);
    });
  });

  test('the draft check answers with the level and helplines and stores nothing', async () => {
    await withForum({}, async ({ server, admin }) => {
      const writer = await apiMember(server, 'writer');
      const client = server.client();
      const crisis = await client.api('POST', '/api/v1/safety/check', { text: kCrisis }, { token: writer.token, headers: { 'accept-language': 'en-GB' } });
      assert.equal(crisis.status, 200, crisis.text);
      assert.equal(crisis.json.level, 'crisis');
      assert.equal(crisis.json.country, 'GB');
      assert.ok(crisis.json.resources.some((r) => /Samaritans/.test(r.name)), JSON.stringify(crisis.json.resources));
      assert.ok(crisis.json.reasons.length > 0);
      const calm = await client.api('POST', '/api/v1/safety/check', { text: kIdiom }, { token: writer.token });
      assert.equal(calm.json.level, 'none');
      assert.equal((await reviewQueue(server, admin.token)).length, 0);
    });
  });

  test('"waiting for a reply" fires after the configured time, and not once someone replied', async () => {
    const extraConfig = `\n[safety]\nwaiting_for_reply_seconds = ${kWaitingSeconds}\n`;
    await withForum({ extraConfig }, async ({ server, admin, category }) => {
      const writer = await apiMember(server, 'writer');
      const peer = await apiMember(server, 'peer');
      const answered = await askApi(server, writer.token, category.id, 'Something I need to say', kCrisis);
      await replyApi(server, peer.token, answered.topic.id, "I'm here and I'm listening. You matter.");
      const unanswered = await askApi(server, writer.token, category.id, 'Something else I need to say', kCrisis);

      const deadline = Date.now() + 15_000;
      let raised;
      while (Date.now() < deadline) {
        raised = (await notices(server, admin.token)).find((n) => n.kind === 'waiting_for_reply');
        if (raised) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(raised, 'moderators were told a post is waiting for a reply');
      assert.equal(raised.link, `/p/${unanswered.post.id}`);
      const queue = await reviewQueue(server, admin.token);
      const byPost = Object.fromEntries(queue.map((item) => [item.post.id, item]));
      assert.ok(byPost[unanswered.post.id].waiting_raised_at, 'raised for the unanswered post');
      assert.equal(byPost[answered.post.id].waiting_raised_at, null, 'not for the answered one');
      assert.ok(byPost[answered.post.id].first_reply_at, 'its first reply time is shown');
    });
  });

  test('worry reports: one kind message a week per writer, three reports a day per reporter, reporter never named', async () => {
    await withForum({}, async ({ server, admin, category }) => {
      const reporter = await apiMember(server, 'reporter');
      const second = await apiMember(server, 'second');
      const writers = [];
      for (let i = 0; i < 4; i += 1) writers.push(await apiMember(server, `writer${i}`));
      const posts = [];
      for (const writer of writers) posts.push((await askApi(server, writer.token, category.id, 'A grey sort of week', 'Everything feels heavy.')).post);
      const client = server.client();
      const flag = (token, post) => client.api('POST', `/api/v1/posts/${post.id}/flags`, { reason: 'worried' }, { token });

      for (let i = 0; i < 3; i += 1) assert.equal((await flag(reporter.token, posts[i])).status, 201);
      assertApiError(await flag(reporter.token, posts[3]), 429, { code: 'worry_limit' });

      assert.equal((await flag(second.token, posts[0])).status, 201);
      const received = (await notices(server, writers[0].token)).filter((n) => n.kind === 'worry');
      assert.equal(received.length, 1, 'one message, however many reports');
      assert.ok(!received[0].body_html.includes(reporter.username) && !received[0].body_html.includes(second.username));
      assert.match(received[0].body_html, /href="(tel|sms|https):/);

      const flags = (await reviewQueue(server, admin.token)).filter((item) => item.reasons === 'worried');
      assert.equal(flags.length, 4);
      assert.ok(flags.every((item) => item.reporter?.username), 'moderators see who reported');
      assertApiError(await flag(writers[0].token, posts[0]), 403);
    });
  });

  test('a writer tells the moderators the worry messages feel unwanted, from the link in the message', async () => {
    await withForum({}, async ({ server, admin, category }) => {
      const writer = await formMember(server, 'writer');
      const token = (await server.client().api('POST', '/api/v1/sessions', { username: writer.username, password: writer.password })).json.token;
      const post = (await askApi(server, token, category.id, 'A grey sort of week', 'Everything feels heavy.')).post;
      const worrier = await apiMember(server, 'worrier');
      assert.equal((await server.client().api('POST', `/api/v1/posts/${post.id}/flags`, { reason: 'worried' }, { token: worrier.token })).status, 201);
      const [message] = (await notices(server, token)).filter((n) => n.kind === 'worry');
      const link = message.body_html.match(/href="(\/p\/\d+\/worry-unwanted)"/)?.[1];
      assert.ok(link, `the message says how: ${message.body_html}`);

      // Only the writer may send it.
      assertApiError(await server.client().api('POST', `/api/v1/posts/${post.id}/worry-unwanted`, {}, { token: worrier.token }), 403, { code: 'not_your_post' });
      const form = await writer.get(link);
      assert.equal(form.status, 200);
      assert.match(visibleText(form.text), /Do these messages feel unwanted\?/);
      const sent = await writer.submit(form.text, link, { note: 'It keeps happening after I post.' });
      assert.equal(sent.status, 303);
      const thanks = await writer.get(sent.location);
      assert.match(visibleText(thanks.text), /Thank you for telling us/);

      const item = (await reviewQueue(server, admin.token)).find((i) => i.reasons === 'worry_unwanted');
      assert.ok(item, 'the moderators have it');
      assert.equal(item.note, 'It keeps happening after I post.');
      assert.equal(item.reporter, undefined, 'the writer is not named: their post may be anonymous');
      assert.deepEqual(item.worry_reporters, [worrier.username]);
      assert.deepEqual(item.actions, ['handled', 'escalate', 'dismiss']);
      const page = await server.client().get('/mod/queue', { headers: { authorization: `Bearer ${admin.token}` } });
      assert.match(visibleText(page.text), new RegExp(`reports about this post came from: ${worrier.username}`));
      assert.ok(page.text.includes(`href="/mod/members/${worrier.username}"`), 'each sender links to their member panel');
    });
  });

  test('two moderators acting on one item at once: the second gets a conflict', async () => {
    await withForum({}, async ({ server, admin, category }) => {
      const writer = await apiMember(server, 'writer');
      await askApi(server, writer.token, category.id, 'I need to say something', kCrisis);
      const [item] = await reviewQueue(server, admin.token);
      const act = (reason) =>
        server.client().api('POST', `/api/v1/review/${item.id}/actions`, { action: 'handled', reason, version: item.version }, { token: admin.token });
      const first = await act('Sent a private message.');
      assert.equal(first.status, 200, first.text);
      assertApiError(await act('Me too.'), 409, { code: 'review_changed' });
    });
  });

  test('after posting through the form, the writer sees the help panel with one-tap links', async () => {
    await withForum({}, async ({ server, category }) => {
      const writer = await formMember(server, 'writer');
      writer.defaultHeaders = { 'accept-language': 'en-GB,en;q=0.9' };
      await writer.get(`/new?category=${category.id}`);
      const posted = await writer.postForm('/new', { category_id: String(category.id), title: 'I need to say something', body: kCrisis });
      assert.equal(posted.status, 303, visibleText(posted.text).slice(0, 300));
      const page = await writer.get(posted.headers.location);
      assert.equal(page.status, 200);
      assert.match(page.text, /href="tel:/, 'one-tap call links in the panel');
      assert.match(page.text, new RegExp(kCrisis.slice(0, 30)), 'the post is up');
      // Someone else opening the same address sees no panel.
      const reader = server.client();
      const other = await reader.get(posted.headers.location);
      assert.doesNotMatch(other.text, /href="tel:/);
    });
  });
});
