// The visitors' page cache (issue 7, src/http/page_cache.h): topic, home and category pages are
// served from memory while the change feed has not moved, and never after a change they do not
// show: a reply, a deletion or a hidden post is there on the very next visit.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apiMember, askApi, csrfFrom, formMember, replyApi, visibleText, withForum } from './harness.mjs';

const kCacheHeader = 'x-kindred-page-cache';

// A visitor: a fresh client with no cookies at all.
function visitorGet(server, pathname) {
  return server.client().get(pathname);
}

describe('visitors\' page cache', () => {
  test('a page is kept for visitors until the feed moves, and the next write shows at once', async () => {
    await withForum(async ({ server, category }) => {
      const asker = await apiMember(server, 'asker');
      const { topic } = await askApi(server, asker.token, category.id, 'Is it normal to cry after therapy?', 'Every week.');

      const first = await visitorGet(server, `/t/${topic.id}`);
      assert.equal(first.status, 200);
      assert.equal(first.headers[kCacheHeader], 'miss');
      assert.equal(csrfFrom(first.text), null, 'a cached page carries no visitor token');
      const second = await visitorGet(server, `/t/${topic.id}`);
      assert.equal(second.headers[kCacheHeader], 'hit');
      assert.equal(second.text, first.text);
      assert.ok(second.headers['set-cookie'], 'a new visitor still gets their own CSRF cookie from a cached page');

      const helper = await apiMember(server, 'helper');
      const reply = await replyApi(server, helper.token, topic.id, 'Therapy hangover is real, be gentle with yourself.');
      const after = await visitorGet(server, `/t/${topic.id}`);
      assert.notEqual(after.headers[kCacheHeader], 'hit');
      assert.match(visibleText(after.text), /Therapy hangover is real/);

      // Deleted: gone on the next visit.
      const deleted = await server.client().api('DELETE', `/api/v1/posts/${reply.id}`, undefined, { token: helper.token });
      assert.ok([200, 204].includes(deleted.status), `delete: ${deleted.status}`);
      const gone = await visitorGet(server, `/t/${topic.id}`);
      assert.doesNotMatch(visibleText(gone.text), /Therapy hangover is real/);

      // The home page follows new topics the same way.
      await visitorGet(server, '/');
      assert.equal((await visitorGet(server, '/')).headers[kCacheHeader], 'hit');
      await askApi(server, asker.token, category.id, 'Does sleep come back after grief?', 'It has been months.');
      const home = await visitorGet(server, '/');
      assert.match(visibleText(home.text), /Does sleep come back after grief\?/);
    });
  });

  test('members are never served a cached page, and a gzip reader gets a gzip copy', async () => {
    await withForum(async ({ server, category }) => {
      const asker = await apiMember(server, 'asker');
      const { topic } = await askApi(server, asker.token, category.id, 'Tired all the time on new tablets', 'Is it normal?');
      await visitorGet(server, `/t/${topic.id}`);
      const member = server.client();
      member.bearer = asker.token;
      const signedIn = await member.get(`/t/${topic.id}`);
      assert.equal(signedIn.headers[kCacheHeader], undefined);
      assert.match(signedIn.text, /name="_csrf"/, 'the member page has their own forms');

      const plain = await visitorGet(server, `/t/${topic.id}`);
      assert.equal(plain.headers['content-encoding'], undefined);
      const zipped = await server.client().get(`/t/${topic.id}`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      const again = await server.client().get(`/t/${topic.id}`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(again.headers[kCacheHeader], 'hit');
      assert.equal(again.headers['content-encoding'], 'gzip');
    });
  });
});

describe('visitors\' search pages', () => {
  test('a search page is kept until the feed or the index moves, and finds a new post at once after', async () => {
    await withForum(async ({ server, category }) => {
      const asker = await apiMember(server, 'asker');
      await askApi(server, asker.token, category.id, 'Lighthouse keepers and loneliness', 'Anyone else?');
      // The index follows the feed within a second; wait for the first question to be found.
      let first;
      for (let i = 0; i < 50; i += 1) {
        first = await visitorGet(server, '/search?q=lighthouse');
        if (/Lighthouse keepers/.test(visibleText(first.text))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(visibleText(first.text), /Lighthouse keepers/);
      const again = await visitorGet(server, '/search?q=lighthouse');
      assert.equal(again.headers[kCacheHeader], 'hit');

      await askApi(server, asker.token, category.id, 'A lighthouse in my dreams', 'Every night.');
      let found = false;
      for (let i = 0; i < 50 && !found; i += 1) {
        const page = await visitorGet(server, '/search?q=lighthouse');
        found = /A lighthouse in my dreams/.test(visibleText(page.text));
        if (!found) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(found, 'the new question is found once the index has it, not held back by the cache');
    });
  });
});

// Members' pages are rendered each time, but each post in them is rendered once for everyone who
// may do the same with it (src/web/fragment_cache.h); the reader's own token and reactions must
// still be theirs, and an edit must show at once.
describe('posts rendered once for members', () => {
  test('each member gets their own token and reactions in a shared rendering, and edits show at once', async () => {
    await withForum(async ({ server, category }) => {
      const asker = await apiMember(server, 'asker');
      const { topic } = await askApi(server, asker.token, category.id, 'Crying after every session', 'Is that normal?');
      const helper = await apiMember(server, 'helper');
      const reply = await replyApi(server, helper.token, topic.id, 'Therapy hangover is real.');
      const one = await formMember(server, 'reader');
      const two = await formMember(server, 'reader');
      const reactionTokens = (html) =>
        [...html.matchAll(/action="\/p\/\d+\/react"><input type="hidden" name="_csrf" value="([^"]*)"/g)].map((m) => m[1]);

      const pageOne = (await one.get(`/t/${topic.id}`)).text;
      const pageTwo = (await two.get(`/t/${topic.id}`)).text;
      assert.equal(reactionTokens(pageOne).length, 2, 'a reaction form on the question and on the reply');
      const tokenOne = await one.csrfToken();
      const tokenTwo = await two.csrfToken();
      assert.notEqual(tokenOne, tokenTwo);
      assert.deepEqual(reactionTokens(pageOne), [tokenOne, tokenOne], 'reader one\'s own token in every form');
      assert.deepEqual(reactionTokens(pageTwo), [tokenTwo, tokenTwo], 'reader two\'s own token in every form');

      const reacted = await one.postForm(`/p/${reply.id}/react`, { react: 'hug:add' });
      assert.equal(reacted.status, 303, `react: ${reacted.status}`);
      const pressed = (html) => (html.match(/aria-pressed="true"/g) ?? []).length;
      assert.equal(pressed((await one.get(`/t/${topic.id}`)).text), 1, 'reader one sees their hug');
      assert.equal(pressed((await two.get(`/t/${topic.id}`)).text), 0, 'reader two did not give one');

      const edited = await server.client().api('PATCH', `/api/v1/posts/${reply.id}`, { body: 'Be gentle with yourself afterwards.' }, { token: helper.token });
      assert.equal(edited.status, 200, `edit: ${edited.status}`);
      const afterEdit = visibleText((await two.get(`/t/${topic.id}`)).text);
      assert.match(afterEdit, /Be gentle with yourself afterwards/);
      assert.doesNotMatch(afterEdit, /Therapy hangover is real/);
    });
  });
});
