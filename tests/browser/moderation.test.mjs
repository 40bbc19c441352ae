// A moderator's pages in a real browser: the review queue with a flagged post, hiding it with a
// reason from its own small form, and showing it again from the post on its topic page. axe-core
// finds no violations on the queue or on a topic with a hidden post, and the writer reads both
// decisions in their messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apiMember, askApi, replyApi } from '../e2e/harness.mjs';
import { assertAccessible, signInInBrowser, submitAndWait, watchedContext, forumAndBrowserForFile } from './browser.mjs';

const shared = forumAndBrowserForFile();

describe('moderating in the shared.browser', () => {
  test('hide a flagged post with a reason, then show it again from the post', async () => {
    const writer = await apiMember(shared.forum.server, 'writer');
    const asker = await apiMember(shared.forum.server, 'asker');
    const flagger = await apiMember(shared.forum.server, 'flagger');
    const asked = await askApi(shared.forum.server, asker.token, shared.forum.category.id, 'How do you wind down after a long shift?', 'Anything helps.');
    const reply = await replyApi(shared.forum.server, writer.token, asked.topic.id, 'Honestly, people who ask this are hopeless.');
    const flagged = await shared.forum.server.client().api('POST', `/api/v1/posts/${reply.id}/flags`, { reason: 'unkind' }, { token: flagger.token });
    assert.equal(flagged.status, 201, flagged.text);

    // bypassCSP only so that axe's script can be injected.
    const context = await watchedContext(shared.browser, shared.forum.server.baseUrl, { locale: 'en-GB', bypassCSP: true });
    try {
      const page = await context.newPage();
      await signInInBrowser(page, shared.forum.admin.username, shared.forum.admin.password);
      await page.goto('/mod/queue');
      await assertAccessible(page, 'the review queue with a flagged post');

      const card = page.locator('li', { has: page.getByText('Flagged as: unkind or abusive') }).first();
      const hideFold = card.locator('details').filter({ has: page.locator('input[name="action"][value="hide"]') });
      await hideFold.locator('summary').click();
      await hideFold.getByLabel('Reason, shown to the writer').fill('Please keep replies kind: this one reads as a put-down.');
      await submitAndWait(page, () => hideFold.getByRole('button', { name: 'Hide the post' }).click());
      assert.match(page.url(), /done=hide/);

      await page.goto(`/p/${reply.id}`);
      const post = page.locator(`article[data-id="${reply.id}"]`);
      assert.match(await post.textContent(), /A moderator hid this post: members cannot see it\./);
      await assertAccessible(page, 'a topic with a post a moderator hid');
      await post.getByLabel(/Note for the writer/).fill('Read again: it was a clumsy joke.');
      await submitAndWait(page, () => post.getByRole('button', { name: 'Show this post again' }).click());
      assert.doesNotMatch(await page.locator(`article[data-id="${reply.id}"]`).textContent(), /A moderator hid this post/);

      const messages = await shared.forum.server.client().api('GET', '/api/v1/me/notices', undefined, { token: writer.token });
      const titles = messages.json.notices.map((n) => n.title);
      assert.deepEqual(titles.slice(0, 2), ['Your post is shown again', 'A moderator hid one of your posts']);
      assert.match(messages.json.notices[1].body_html, /this one reads as a put-down/);
    } finally {
      await context.close();
    }
  });
});
