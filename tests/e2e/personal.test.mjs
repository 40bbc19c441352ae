// Personal controls end to end (issue 5): blocking a member, muted words, content warnings,
// anonymous posting shown as "Anonymous member" everywhere, hidden posts as a calm placeholder,
// and the gentle second look before posting an email address or phone number. Each through the
// pages (a browser without JavaScript) and the JSON API, on the real binary.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  apiMember, askApi, assertApiError, decodeEntities, formMember, replyApi, topicApi, topicIdFrom,
  visibleText, within, withForum,
} from './harness.mjs';
import { openStream } from './sse.mjs';

const kFoundWithinMs = 2000;

async function page(client, pathname) {
  const response = await client.get(pathname);
  assert.equal(response.status, 200, `${pathname}: ${response.status} ${visibleText(response.text).slice(0, 300)}`);
  return response.text;
}

function articleOf(html, number) {
  const match = new RegExp(`<article class="post[^"]*" id="p${number}"[\\s\\S]*?</article>`).exec(html);
  return match ? match[0] : '';
}

describe('personal controls', () => {
  test('a blocked member\'s posts are left out for the blocker, and they cannot reply to the blocker\'s topics', async () => {
    await withForum(async ({ server, admin, category }) => {
      const ann = await formMember(server, 'ann');
      const bob = await apiMember(server, 'bob');
      const carl = await apiMember(server, 'carl');
      const annToken = (await server.client().api('POST', '/api/v1/sessions', { username: ann.username, password: ann.password })).json.token;
      const asked = await askApi(server, annToken, category.id, 'How do you sleep after a loss?', 'Nights are the hardest part for me.');
      const topicId = asked.topic.id;
      await replyApi(server, bob.token, topicId, 'Bob says: a warm bath helped me a little.');
      await replyApi(server, carl.token, topicId, 'Carl says: audiobooks with a timer.');

      // Ann blocks Bob from his profile page, without script.
      const profile = await page(ann, `/u/${bob.username}`);
      const blocked = await ann.submit(profile, `/u/${bob.username}/block`);
      assert.equal(blocked.status, 303, visibleText(blocked.text));
      assert.match(visibleText(await page(ann, blocked.location)), /You won't see .*posts/);

      const annPage = await page(ann, `/t/${topicId}`);
      assert.doesNotMatch(annPage, /a warm bath/, 'Bob\'s words are left out for Ann');
      assert.match(visibleText(annPage), /1 post from someone you blocked is not shown\./);
      assert.match(annPage, /audiobooks with a timer/, 'others\' replies stay');
      const annApi = await topicApi(server, topicId, 1, annToken);
      assert.equal(annApi.blocked_posts_left_out, 1);
      assert.ok(annApi.posts.every((p) => !/warm bath/.test(p.body_markdown)));

      // Everyone else still reads Bob.
      assert.match(await page(server.client(), `/t/${topicId}`), /a warm bath/);
      assert.ok((await topicApi(server, topicId, 1, carl.token)).posts.some((p) => /warm bath/.test(p.body_markdown)));

      // Bob can no longer reply to Ann's topic, through either door, and the page says so calmly.
      const refused = await server.client().api('POST', `/api/v1/topics/${topicId}/posts`, { body: 'Another thought.' }, { token: bob.token });
      assertApiError(refused, 403, { code: 'blocked' });
      const bobApiView = await topicApi(server, topicId, 1, bob.token);
      assert.equal(bobApiView.can_reply, false);
      // He can still reply elsewhere.
      const carlTopic = await askApi(server, carl.token, category.id, 'Evening routines that help', 'What works for you?');
      await replyApi(server, bob.token, carlTopic.topic.id, 'A short walk.');

      // Blocking oneself or a moderator is refused, kindly.
      assertApiError(await server.client().api('POST', `/api/v1/users/${ann.username}/block`, undefined, { token: annToken }), 422);
      const staff = assertApiError(await server.client().api('POST', `/api/v1/users/${admin.username}/block`, undefined, { token: annToken }), 403);
      assert.match(staff.message, /reach everyone/);

      // The account page lists Bob, and unblocking there brings his words back.
      const account = await page(ann, '/account');
      assert.match(visibleText(account), new RegExp(`Members you blocked[\\s\\S]*${bob.username}`));
      const unblocked = await ann.submit(account, `/u/${bob.username}/unblock`);
      assert.equal(unblocked.status, 303);
      assert.match(await page(ann, `/t/${topicId}`), /a warm bath/);
      await replyApi(server, bob.token, topicId, 'Glad to be able to answer again.');

      // The API's block and unblock.
      const viaApi = await server.client().api('POST', `/api/v1/users/${bob.username.toUpperCase()}/block`, undefined, { token: annToken });
      assert.equal(viaApi.status, 201, viaApi.text);
      assert.equal(viaApi.json.blocked.username, bob.username, 'the name as it is stored, not as typed');
      assert.equal((await topicApi(server, topicId, 1, annToken)).blocked_posts_left_out, 2);
      const lifted = await server.client().api('DELETE', `/api/v1/users/${bob.username}/block`, undefined, { token: annToken });
      assert.equal(lifted.status, 204);
    });
  });

  test('a post with a muted word is folded with one click to open; whole words only, any case', async () => {
    await withForum(async ({ server, category }) => {
      const writer = await apiMember(server, 'writer');
      const reader = await formMember(server, 'reader');
      const readerToken = (await server.client().api('POST', '/api/v1/sessions', { username: reader.username, password: reader.password })).json.token;
      const asked = await askApi(server, writer.token, category.id, 'Getting through a hard year', 'A lot happened this year.');
      await replyApi(server, writer.token, asked.topic.id, 'The Divorce papers came through in March.');
      await replyApi(server, writer.token, asked.topic.id, 'My parents divorced when I was small.');

      const saved = await server.client().api('PUT', '/api/v1/me/muted-words', { words: ['divorce', ' Divorce ', ''] }, { token: readerToken });
      assert.equal(saved.status, 200, saved.text);
      assert.deepEqual(saved.json.words, ['divorce'], 'trimmed, repeats and empty lines dropped');

      const html = await page(reader, `/t/${asked.topic.id}`);
      const folded = articleOf(html, 2);
      assert.match(folded, /<details class="fold"><summary>Hidden because it contains a word you muted/);
      assert.match(folded, /papers came through/, 'the text is there behind one click (works without script)');
      assert.doesNotMatch(articleOf(html, 3), /<details class="fold">/, '"divorced" is another word');
      const api = await topicApi(server, asked.topic.id, 1, readerToken);
      assert.equal(api.posts[1].muted, true);
      assert.equal(api.posts[1].collapsed, true);
      assert.equal(api.posts[2].collapsed, false);

      // The account form keeps the words, and others see nothing folded.
      assert.match(await page(reader, '/account'), />\s*divorce<\/textarea>/);
      assert.doesNotMatch(await page(server.client(), `/t/${asked.topic.id}`), /word you muted/);
      assertApiError(await server.client().api('PUT', '/api/v1/me/muted-words', { words: 'divorce' }, { token: readerToken }), 400);
      assertApiError(await server.client().api('PUT', '/api/v1/me/muted-words', { words: ['x'.repeat(101)] }, { token: readerToken }), 422, { field: 'muted_words' });
    });
  });

  test('content warnings fold a post until the reader opens it, unless they chose to always show them', async () => {
    await withForum(async ({ server, category }) => {
      const writer = await formMember(server, 'writer');
      const reader = await formMember(server, 'reader');
      // The question form carries the warning (and the choice stays on the form if it fails).
      const form = await page(writer, '/new');
      const posted = await writer.submit(form, '/new', {
        category_id: category.id, title: 'Remembering my brother this week', body: 'It is a year since he died.', content_warning: 'grief',
      });
      assert.equal(posted.status, 303, visibleText(posted.text).slice(0, 400));
      const topicId = topicIdFrom(posted.location);

      const html = await page(reader, `/t/${topicId}`);
      assert.match(articleOf(html, 1), /<details class="fold"><summary>Content warning: grief\. Show the post<\/summary>/);
      assert.match(articleOf(html, 1), /a year since he died/);
      // The writer's own post is not folded for them.
      assert.doesNotMatch(articleOf(await page(writer, `/t/${topicId}`), 1), /<details class="fold">/);
      const api = await topicApi(server, topicId);
      assert.equal(api.posts[0].content_warning, 'grief');

      // "Always show posts with content warnings", from the account page.
      const account = await page(reader, '/account');
      const saved = await reader.submit(account, '/account/personal', { show_warned_posts: '1' });
      assert.equal(saved.status, 303, visibleText(saved.text).slice(0, 300));
      const open = articleOf(await page(reader, `/t/${topicId}`), 1);
      assert.doesNotMatch(open, /<details class="fold">/);
      assert.match(visibleText(open), /Content warning grief/);
    });
  });

  test('anonymous posts show as "Anonymous member" everywhere, and "(you)" only to their writer', async () => {
    await withForum(async ({ server, category }) => {
      const dana = await formMember(server, 'dana');
      const danaToken = (await server.client().api('POST', '/api/v1/sessions', { username: dana.username, password: dana.password })).json.token;
      const other = await apiMember(server, 'other');

      const form = await page(dana, '/new');
      assert.match(form, /name="anonymous"/);
      const posted = await dana.submit(form, '/new', {
        category_id: category.id, title: 'Something I cannot say with my name', body: 'Zephyrine thoughts about my family.', anonymous: '1',
      });
      assert.equal(posted.status, 303, visibleText(posted.text).slice(0, 400));
      const topicId = topicIdFrom(posted.location);
      const anonReply = await replyApi(server, danaToken, topicId, 'Quillwort follow-up from me.', { anonymous: true });
      assert.equal(anonReply.author, null);
      assert.equal(anonReply.anonymous, true);
      const named = await askApi(server, danaToken, category.id, 'A question with my name on it', 'Marigold musings, openly.');

      // The topic page, for others: no name, no profile link.
      const seen = await page(server.client(), `/t/${topicId}`);
      assert.ok(!seen.includes(dana.username), 'the name appears nowhere on the page');
      assert.match(visibleText(seen), /Asked by Anonymous member/);
      assert.doesNotMatch(seen, /href="\/u\/"/);
      // For Dana herself.
      assert.match(visibleText(await page(dana, `/t/${topicId}`)), /Anonymous member \(you\)/);

      // The topic lists.
      const home = await page(server.client(), '/');
      assert.ok(!home.includes(dana.username) || home.indexOf(dana.username) > home.indexOf('A question with my name'),
        'her name only beside her named question');
      const latest = await server.client().api('GET', '/api/v1/topics');
      const listed = latest.json.topics.find((t) => t.id === topicId);
      assert.equal(listed.author, null);
      assert.equal(listed.anonymous, true);
      assert.equal(listed.author_state, 'anonymous');

      // The API, for others.
      const api = await topicApi(server, topicId, 1, other.token);
      assert.ok(api.posts.every((p) => p.author === null && p.anonymous === true));
      assert.equal(api.topic.author, null);
      assert.ok(!JSON.stringify(api).includes(dana.username));

      // Her profile, seen by others: only the named question, counted alone.
      const profile = await server.client().api('GET', `/api/v1/users/${dana.username}`);
      assert.deepEqual(profile.json.posts.map((p) => p.topic_id), [named.topic.id]);
      assert.equal(profile.json.user.post_count, 1);
      const profileHtml = await page(server.client(), `/u/${dana.username}`);
      assert.doesNotMatch(profileHtml, /Something I cannot say/);
      // ...and by herself: everything, marked.
      const own = await page(dana, `/u/${dana.username}`);
      assert.match(own, /Something I cannot say/);
      assert.match(visibleText(own), /anonymously \(only you see it here\)/);

      // Searching by her name finds her named words, never the anonymous ones.
      await within(kFoundWithinMs, async () => {
        const found = await server.client().api('GET', `/api/v1/search?q=marigold&author=${dana.username}`);
        assert.equal(found.json.results.length, 1);
      });
      for (const word of ['zephyrine', 'quillwort']) {
        await within(kFoundWithinMs, async () => {
          const anyone = await server.client().api('GET', `/api/v1/search?q=${word}`);
          assert.equal(anyone.json.results.length, 1, `${word} is findable`);
          assert.ok(!JSON.stringify(anyone.json).includes(dana.username));
        });
        const byName = await server.client().api('GET', `/api/v1/search?q=${word}&author=${dana.username}`);
        assert.equal(byName.json.results.length, 0, `${word} is not found under her name`);
      }
      const searchPage = await page(server.client(), '/search?q=zephyrine');
      assert.match(visibleText(searchPage), /Anonymous member/);
      assert.ok(!searchPage.includes(dana.username));
    });
  });

  test('a hidden post is a calm placeholder for readers, and its writer is told who can see it', async () => {
    await withForum(async ({ server, category, admin }) => {
      const writer = await formMember(server, 'writer');
      const writerToken = (await server.client().api('POST', '/api/v1/sessions', { username: writer.username, password: writer.password })).json.token;
      const flagger = await apiMember(server, 'flagger');
      const asked = await askApi(server, flagger.token, category.id, 'What helped you most this month?', 'Share anything.');
      const reply = await replyApi(server, writerToken, asked.topic.id, 'Buy cheap pills at example dot com.');
      const flagged = await server.client().api('POST', `/api/v1/posts/${reply.id}/flags`, { reason: 'spam' }, { token: flagger.token });
      assert.equal(flagged.status, 201, flagged.text);
      // A moderator hides it from the review queue.
      const queue = await server.client().api('GET', '/api/v1/review', undefined, { token: admin.token });
      const item = queue.json.items.find((i) => i.post.id === reply.id && i.kind === 'flag');
      assert.ok(item, `the flag is in the queue: ${queue.text.slice(0, 300)}`);
      const hidden = await server.client().api('POST', `/api/v1/review/${item.id}/actions`,
        { action: 'hide', version: item.version, reason: 'Spam, pending a look.' }, { token: admin.token });
      assert.equal(hidden.status, 200, hidden.text);

      const reader = await page(server.client(), `/t/${asked.topic.id}`);
      assert.match(visibleText(articleOf(reader, 2)), /A moderator has hidden this post\./);
      assert.doesNotMatch(reader, /cheap pills/);
      const api = await topicApi(server, asked.topic.id, 1, flagger.token);
      assert.equal(api.posts[1].hidden, true);
      assert.equal(api.posts[1].body_markdown, '');
      const single = await server.client().api('GET', `/api/v1/posts/${reply.id}`);
      assert.equal(single.json.post.body_markdown, '');

      const own = visibleText(articleOf(await page(writer, `/t/${asked.topic.id}`), 2));
      assert.match(own, /A moderator hid this post: only you and the moderators can see it\. Their message to you says why\./);
      assert.match(own, /cheap pills/);
      const mod = await topicApi(server, asked.topic.id, 1, admin.token);
      assert.equal(mod.posts[1].hidden_from_others, true);
      assert.match(mod.posts[1].body_markdown, /cheap pills/);
    });
  });

  test('live updates never push a held or hidden post to readers, and show a post hidden later as its placeholder', async () => {
    await withForum(async ({ server, category, admin }) => {
      const writer = await apiMember(server, 'writer');
      const watched = await server.client().api('POST', '/api/v1/admin/watched-words', { pattern: 'cryptocoin', action: 'hold' }, { token: admin.token });
      assert.equal(watched.status, 201, watched.text);
      const asked = await askApi(server, writer.token, category.id, 'Small wins this week', 'Tell me one.');
      const topicId = asked.topic.id;
      const pageStream = await openStream(server.url(`/t/${topicId}/events`));
      const apiStream = await openStream(server.url(`/api/v1/topics/${topicId}/events`));
      try {
        const held = await replyApi(server, writer.token, topicId, 'Earn money with cryptocoin today.');
        assert.ok(held.hidden_from_others, `held for a first look: ${JSON.stringify(held)}`);
        const fine = await replyApi(server, writer.token, topicId, 'I went for a swim.');
        const [pageEvent] = await pageStream.waitFor(1);
        const [apiEvent] = await apiStream.waitFor(1);
        for (const event of [pageEvent, apiEvent]) {
          assert.equal(event.event, 'reply');
          assert.doesNotMatch(event.data, /cryptocoin/, 'the held reply is never pushed');
          assert.match(event.data, /went for a swim/);
        }

        // A moderator hides the second reply: open pages get the placeholder, never the text.
        const flag = await server.client().api('POST', `/api/v1/posts/${fine.id}/flags`, { reason: 'other', note: 'Please look.' }, { token: admin.token });
        assert.equal(flag.status, 201, flag.text);
        const items = (await server.client().api('GET', '/api/v1/review', undefined, { token: admin.token })).json.items;
        const item = items.find((i) => i.post.id === fine.id);
        const hidden = await server.client().api('POST', `/api/v1/review/${item.id}/actions`,
          { action: 'hide', version: item.version, reason: 'Checking.' }, { token: admin.token });
        assert.equal(hidden.status, 200, hidden.text);
        const pageEvents = await pageStream.waitFor(2);
        const apiEvents = await apiStream.waitFor(2);
        for (const event of [pageEvents[1], apiEvents[1]]) {
          assert.equal(event.event, 'hide');
          assert.doesNotMatch(event.data, /went for a swim/);
          assert.match(event.data, /A moderator has hidden this post/);
        }
        assert.ok([...pageStream.events, ...apiStream.events].every((e) => !/cryptocoin/.test(e.data)));
      } finally {
        pageStream.close();
        apiStream.close();
      }
    });
  });

  test('before posting an email address or phone number, a gentle second look; the API never blocks', async () => {
    await withForum(async ({ server, category }) => {
      const writer = await formMember(server, 'writer');
      const writerToken = (await server.client().api('POST', '/api/v1/sessions', { username: writer.username, password: writer.password })).json.token;
      const body = 'Please call me on 07700 900123 any time, I mean it.';
      const form = await page(writer, '/new');
      const first = await writer.submit(form, '/new', { category_id: category.id, title: 'Would anyone talk tonight?', body, anonymous: '1' });
      assert.equal(first.status, 200, 'the form comes back; nothing is posted');
      assert.match(visibleText(first.text), /seems to include an email address or a phone number/);
      assert.equal(decodeEntities(/<textarea id="body"[^>]*>\n?([\s\S]*?)<\/textarea>/.exec(first.text)[1]), body, 'the text is kept');
      assert.match(first.text, /id="anonymous" name="anonymous" value="1" checked/, 'and the choices');
      const again = await writer.submit(first.text, '/new', { overshare_ok: '1' });
      assert.equal(again.status, 303, visibleText(again.text).slice(0, 300));
      const topicId = topicIdFrom(again.location);

      // A reply with an email address, on the reply page.
      const replyForm = await page(writer, `/t/${topicId}/reply`);
      const held = await writer.submit(replyForm, `/t/${topicId}/reply`, { body: 'Or write to me at sam.jones@example.org' });
      assert.equal(held.status, 200);
      assert.match(visibleText(held.text), /phone number/);
      // Dates, times and sums are not contact details.
      const fine = await writer.submit(replyForm, `/t/${topicId}/reply`, { body: 'On 12/03/2024 at 10:30 I paid £1,500 for 3 weeks of 24/7 care.' });
      assert.equal(fine.status, 303);

      // Editing one in gets the same second look; an edit of a post that had them already does not.
      const replyId = Number(/posted=(\d+)/.exec(fine.location)[1]);
      const editForm = await page(writer, `/p/${replyId}/edit`);
      const edited = 'On 12/03/2024 I paid for care. Text me on 07700 900123.';
      const heldEdit = await writer.submit(editForm, `/p/${replyId}/edit`, { body: edited });
      assert.equal(heldEdit.status, 200, 'the edit form comes back; nothing is saved');
      assert.match(visibleText(heldEdit.text), /seems to include an email address or a phone number/);
      assert.equal(decodeEntities(/<textarea id="body"[^>]*>\n?([\s\S]*?)<\/textarea>/.exec(heldEdit.text)[1]), edited);
      const saved = await writer.submit(heldEdit.text, `/p/${replyId}/edit`, { overshare_ok: '1' });
      assert.equal(saved.status, 303);
      const again2 = await writer.submit(await page(writer, `/p/${replyId}/edit`), `/p/${replyId}/edit`, { body: `${edited} Evenings are best.` });
      assert.equal(again2.status, 303, 'the details were there already');

      // The API posts as asked, and the draft check says what it saw.
      await replyApi(server, writerToken, topicId, 'My number is +44 20 7946 0958.');
      const check = await server.client().api('POST', '/api/v1/safety/check', { text: 'mail me: a.b@example.co.uk' }, { token: writerToken });
      assert.equal(check.status, 200, check.text);
      assert.equal(check.json.contact_details, true);
      const calm = await server.client().api('POST', '/api/v1/safety/check', { text: 'Three weeks since 2019, every day 9-5.' }, { token: writerToken });
      assert.equal(calm.json.contact_details, false);
    });
  });
});
