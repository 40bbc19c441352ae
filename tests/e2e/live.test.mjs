// Live updates over Server-Sent Events against the real binary: a reply reaches an open stream
// within 2 s; a stream that reconnects with Last-Event-ID gets exactly what it missed, once; a
// visitor's page stream carries the page's own rendering of the reply, escaped; deleted text is
// never sent; unknown topics are 404; and SIGTERM still stops the server at once with streams open.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apiMember, askApi, assertApiError, replyApi, startForum, topicApi } from './harness.mjs';
import { openStream } from './sse.mjs';

// The promise: a reader sees a reply within 2 seconds of it being written.
const kLiveWithinMs = 2000;
// How long to keep listening after the expected events, to be sure nothing more (no duplicate) comes.
const kQuietMs = 600;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let forum;
let asker;
let replier;
before(async () => {
  forum = await startForum();
  asker = await apiMember(forum.server, 'liveasker');
  replier = await apiMember(forum.server, 'livereplier');
});
after(async () => {
  await forum?.server.stop();
});

describe('the API event stream', () => {
  test('a reply reaches an open stream within 2 seconds, as the API encodes posts', async () => {
    const { topic } = await askApi(forum.server, asker.token, forum.category.id);
    const stream = await openStream(forum.server.url(`/api/v1/topics/${topic.id}/events`));
    try {
      assert.equal(stream.status, 200);
      assert.match(stream.headers['content-type'], /^text\/event-stream/);
      assert.equal(stream.headers['cache-control'], 'no-store');
      const started = Date.now();
      const post = await replyApi(forum.server, replier.token, topic.id, 'It gets easier, **slowly**.');
      const [event] = await stream.waitFor(1);
      assert.ok(Date.now() - started < kLiveWithinMs, `arrived after ${Date.now() - started} ms`);
      assert.equal(event.event, 'reply');
      assert.match(event.id, /^\d+$/);
      const data = JSON.parse(event.data);
      assert.equal(data.post.id, post.id);
      assert.equal(data.post.topic_id, topic.id);
      assert.equal(data.post.body_markdown, 'It gets easier, **slowly**.');
      assert.equal(data.post.author.username, replier.username);
    } finally {
      stream.close();
    }
  });

  test('reconnecting with Last-Event-ID gives exactly the replies missed, no duplicates', async () => {
    const { topic } = await askApi(forum.server, asker.token, forum.category.id);
    const first = await openStream(forum.server.url(`/api/v1/topics/${topic.id}/events`));
    await replyApi(forum.server, replier.token, topic.id, 'Before the drop.');
    const [seen] = await first.waitFor(1);
    first.close();
    await first.endedPromise;

    const missed = [
      await replyApi(forum.server, replier.token, topic.id, 'Missed one.'),
      await replyApi(forum.server, asker.token, topic.id, 'Missed two.'),
    ];
    const again = await openStream(forum.server.url(`/api/v1/topics/${topic.id}/events`), {
      headers: { 'last-event-id': seen.id },
    });
    try {
      const events = await again.waitFor(2);
      await sleep(kQuietMs);
      assert.deepEqual(again.events.map((event) => JSON.parse(event.data).post.id), missed.map((post) => post.id),
        'exactly the two missed replies, once each');
      assert.ok(Number(events[0].id) > Number(seen.id) && Number(events[1].id) > Number(events[0].id), 'ids keep rising');
      // And it goes on live from there.
      const live = await replyApi(forum.server, replier.token, topic.id, 'After the return.');
      const all = await again.waitFor(3);
      assert.equal(JSON.parse(all[2].data).post.id, live.id);
    } finally {
      again.close();
    }
  });

  test('GET /api/v1/topics/{id} says where to start a stream that misses nothing', async () => {
    const { topic } = await askApi(forum.server, asker.token, forum.category.id);
    const shown = await topicApi(forum.server, topic.id);
    assert.equal(typeof shown.last_event_id, 'number');
    const reply = await replyApi(forum.server, replier.token, topic.id, 'Written before the stream opened.');
    const stream = await openStream(forum.server.url(`/api/v1/topics/${topic.id}/events?last_event_id=${shown.last_event_id}`));
    try {
      const [event] = await stream.waitFor(1);
      assert.equal(JSON.parse(event.data).post.id, reply.id);
    } finally {
      stream.close();
    }
  });

  test('a deleted reply is sent as deleted, without its text', async () => {
    const { topic } = await askApi(forum.server, asker.token, forum.category.id);
    const stream = await openStream(forum.server.url(`/api/v1/topics/${topic.id}/events`));
    try {
      const post = await replyApi(forum.server, replier.token, topic.id, 'Words I will take back.');
      await stream.waitFor(1);
      const deleted = await forum.server.client().api('DELETE', `/api/v1/posts/${post.id}`, undefined, { token: replier.token });
      assert.ok(deleted.status === 200 || deleted.status === 204, `delete: ${deleted.status} ${deleted.text}`);
      const events = await stream.waitFor(2);
      assert.equal(events[1].event, 'delete');
      const data = JSON.parse(events[1].data);
      assert.equal(data.post.deleted, true);
      assert.ok(!events[1].data.includes('take back'), events[1].data);
    } finally {
      stream.close();
    }
  });

  test('an unknown topic is 404 and a malformed Last-Event-ID is 422', async () => {
    const missing = await forum.server.client().api('GET', '/api/v1/topics/999999/events');
    assertApiError(missing, 404);
    const { topic } = await askApi(forum.server, asker.token, forum.category.id);
    const malformed = await forum.server.client().api('GET', `/api/v1/topics/${topic.id}/events`, undefined, {
      headers: { 'last-event-id': 'yesterday' },
    });
    assertApiError(malformed, 422, { code: 'invalid_last_event_id', field: 'last_event_id' });
  });
});

describe('the page event stream', () => {
  test('a visitor with the page open gets the reply as the page renders it, escaped', async () => {
    const { topic } = await askApi(forum.server, asker.token, forum.category.id);
    const page = await forum.server.client().get(`/t/${topic.id}`);
    assert.equal(page.status, 200);
    const live = /<div id="posts" data-live-after="(\d+)">/.exec(page.text);
    assert.ok(live, 'the last page of a topic says where its stream starts');
    assert.match(page.text, /id="live-status" class="vh" aria-live="polite"/);

    const stream = await openStream(forum.server.url(`/t/${topic.id}/events?last_event_id=${live[1]}`));
    try {
      assert.equal(stream.status, 200);
      const post = await replyApi(forum.server, replier.token, topic.id, 'Me too. <script>alert(1)</script> & "quotes"');
      const [event] = await stream.waitFor(1);
      assert.equal(event.event, 'reply');
      const data = JSON.parse(event.data);
      assert.equal(data.id, post.id);
      assert.equal(data.author, replier.username);
      assert.match(data.html, new RegExp(`^<article class="post" id="p${post.number}" data-id="${post.id}"`));
      assert.ok(!/<script/i.test(data.html), `no script element: ${data.html}`);
      assert.match(data.html, /&quot;quotes&quot;|"quotes"/);
      // Exactly what the page itself shows for that post, once reloaded.
      const reloaded = await forum.server.client().get(`/t/${topic.id}`);
      assert.ok(reloaded.text.includes(data.html.split('<footer>')[0]), 'the same markup as the page');
    } finally {
      stream.close();
    }
  });

  test('a stream asks again who its reader is: a demoted moderator gets no hidden text, a signed-out one reads as a visitor', async () => {
    const api = (method, path, body, token) => forum.server.client().api(method, path, body, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    const setRole = async (username, role) => {
      const response = await api('PUT', `/api/v1/users/${encodeURIComponent(username)}/role`, { role }, forum.admin.token);
      assert.equal(response.status, 200, response.text);
    };
    // Hides a reply the way a moderator does: a member flags it, a moderator acts on the flag.
    const hide = async (post) => {
      const flagger = await apiMember(forum.server, 'flagger');
      const flagged = await api('POST', `/api/v1/posts/${post.id}/flags`, { reason: 'unkind' }, flagger.token);
      assert.equal(flagged.status, 201, flagged.text);
      const queue = await api('GET', '/api/v1/review?status=open', undefined, forum.admin.token);
      const item = queue.json.items.find((i) => i.post.id === post.id);
      assert.ok(item, 'the flag is in the queue');
      const done = await api('POST', `/api/v1/review/${item.id}/actions`,
        { action: 'hide', version: item.version, reason: 'Unkind to others.' }, forum.admin.token);
      assert.equal(done.status, 200, done.text);
    };
    const moderator = await apiMember(forum.server, 'livemod');
    await setRole(moderator.username, 'moderator');
    const { topic } = await askApi(forum.server, asker.token, forum.category.id);
    const stream = await openStream(forum.server.url(`/t/${topic.id}/events`), {
      headers: { authorization: `Bearer ${moderator.token}` },
    });
    try {
      assert.equal(stream.status, 200);
      const seen = await replyApi(forum.server, replier.token, topic.id, 'Words only moderators may read once hidden.');
      await stream.waitFor(1);
      await hide(seen);
      const [, hiddenForModerator] = await stream.waitFor(2);
      assert.equal(hiddenForModerator.event, 'hide');
      assert.match(JSON.parse(hiddenForModerator.data).html, /Words only moderators may read/, 'a moderator reads it');

      await setRole(moderator.username, 'member');
      const later = await replyApi(forum.server, replier.token, topic.id, 'Also unkind, and hidden after the demotion.');
      const [, , replyAsMember] = await stream.waitFor(3);
      assert.match(JSON.parse(replyAsMember.data).html, /name="_csrf"/, 'a member can react, through a form');
      await hide(later);
      const [, , , hiddenForMember] = await stream.waitFor(4);
      assert.equal(hiddenForMember.event, 'hide');
      assert.ok(!JSON.parse(hiddenForMember.data).html.includes('hidden after the demotion'),
        'the demoted moderator gets the placeholder, not the text');

      const signedOut = await api('DELETE', '/api/v1/sessions/current', undefined, moderator.token);
      assert.ok(signedOut.status < 300, signedOut.text);
      const own = await replyApi(forum.server, replier.token, topic.id, 'A kind one after the sign-out.');
      const [, , , , afterSignOut] = await stream.waitFor(5);
      assert.equal(JSON.parse(afterSignOut.data).id, own.id);
      assert.ok(!/name="_csrf"/.test(JSON.parse(afterSignOut.data).html), 'no form carries the ended session');
    } finally {
      stream.close();
    }
  });

  test('an unknown topic is a 404 page', async () => {
    const response = await forum.server.client().get('/t/999999/events');
    assert.equal(response.status, 404);
  });
});

describe('stopping', () => {
  test('SIGTERM stops the server promptly with streams open, ending them', async () => {
    const own = await startForum();
    try {
      const member = await apiMember(own.server, 'stopper');
      const { topic } = await askApi(own.server, member.token, own.category.id);
      const streams = await Promise.all([
        openStream(own.server.url(`/api/v1/topics/${topic.id}/events`)),
        openStream(own.server.url(`/api/v1/topics/${topic.id}/events`)),
        openStream(own.server.url(`/t/${topic.id}/events`)),
      ]);
      streams.forEach((stream) => assert.equal(stream.status, 200));
      const started = Date.now();
      const exit = await own.server.stop();
      assert.ok(!exit.timedOut, 'exited on SIGTERM without being killed');
      assert.equal(exit.code, 0, `clean exit: ${JSON.stringify(exit)}`);
      assert.ok(Date.now() - started < 3000, `stopped in ${Date.now() - started} ms`);
      await Promise.all(streams.map((stream) => stream.endedPromise));
    } finally {
      await own.server.stop();
    }
  });
});
