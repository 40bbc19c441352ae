// Personal controls in a real browser (issue 5, "a browser test for collapse and reveal"): a post
// with a muted word and a post with a content warning arrive folded, and one click on the fold
// opens each. The same folds open without JavaScript (they are <details>), checked with script
// switched off. While writing, a phone number brings a gentle note under the box. axe-core finds
// no violations on the topic page with folds or on the account page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apiMember, askApi, replyApi, startForum } from '../e2e/harness.mjs';
import { assertAccessible, assertNoProblems, launchBrowser, registerInBrowser, submitAndWait, watchedContext } from './browser.mjs';

// The draft check waits for a pause in typing, then asks the server: well under this.
const kNoteWithinMs = 5000;

let forum;
let browser;
let topicId;
before(async () => {
  forum = await startForum();
  browser = await launchBrowser();
  const writer = await apiMember(forum.server, 'writer');
  const asked = await askApi(forum.server, writer.token, forum.category.id, 'What got you through last winter?', 'Anything at all.');
  topicId = asked.topic.id;
  await replyApi(forum.server, writer.token, topicId, 'Honestly the divorce made it the hardest winter yet.');
  await replyApi(forum.server, writer.token, topicId, 'I lost my dad in January and walked every day.', { content_warning: 'grief' });
});
after(async () => {
  await browser?.close();
  await forum?.server.stop();
});

// A reader who mutes "divorce" on the account page, in the browser.
async function readerWithMutedWord(context) {
  const page = await context.newPage();
  await registerInBrowser(page, 'reader');
  await page.goto('/account');
  await page.getByLabel('Muted words', { exact: true }).fill('Divorce');
  await submitAndWait(page, () => page.locator('form[action="/account/personal"] button').click());
  assert.match(page.url(), /saved=1/);
  return page;
}

async function checkFoldsOpenWithOneClick(page) {
  await page.goto(`/t/${topicId}`);
  const muted = page.locator('#p2 details.fold');
  const warned = page.locator('#p3 details.fold');
  for (const [fold, summary, text] of [
    [muted, /Hidden because it contains a word you muted/, /hardest winter/],
    [warned, /Content warning: grief/, /walked every day/],
  ]) {
    assert.match(await fold.locator('summary').textContent(), summary);
    assert.equal(await fold.evaluate((d) => d.open), false, 'folded at first');
    assert.equal(await fold.getByText(text).isVisible(), false, 'its text is not shown');
    await fold.locator('summary').click();
    assert.equal(await fold.evaluate((d) => d.open), true, 'one click opens it');
    assert.equal(await fold.getByText(text).isVisible(), true, 'and the text shows');
  }
}

describe('personal controls in the browser', () => {
  test('a muted word and a content warning fold their posts, and one click opens each', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl, { locale: 'en-GB' });
    try {
      const page = await readerWithMutedWord(context);
      await checkFoldsOpenWithOneClick(page);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('the account page and a topic with folds pass axe-core', async () => {
    // bypassCSP only here, so that axe's script can be injected; the other tests run under the real CSP.
    const context = await watchedContext(browser, forum.server.baseUrl, { locale: 'en-GB', bypassCSP: true });
    try {
      const page = await readerWithMutedWord(context);
      await assertAccessible(page, 'the account page');
      await page.goto(`/t/${topicId}`);
      await assertAccessible(page, 'a topic with folded posts');
      await page.locator('#p3 details.fold summary').click();
      await assertAccessible(page, 'a topic with a fold opened');
    } finally {
      await context.close();
    }
  });

  test('the folds open without JavaScript too', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl, { locale: 'en-GB', javaScriptEnabled: false });
    try {
      const page = await readerWithMutedWord(context);
      await checkFoldsOpenWithOneClick(page);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('typing a phone number brings a gentle note under the box, and posting still works', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl, { locale: 'en-GB' });
    try {
      const page = await context.newPage();
      await registerInBrowser(page, 'sharer');
      await page.goto(`/t/${topicId}`);
      await page.getByLabel('Your reply').pressSequentially('Text me on 07700 900123 if you want to talk.', { delay: 5 });
      const note = page.locator('#overshare-live .overshare');
      await note.waitFor({ timeout: kNoteWithinMs });
      assert.match(await note.textContent(), /email address or a phone number/);
      // The writer has seen the note, so the form posts at once, without asking a second time.
      await submitAndWait(page, () => page.getByRole('button', { name: 'Post reply' }).click());
      assert.match(new URL(page.url()).pathname, new RegExp(`^/t/${topicId}$`));
      assert.match(await page.locator('#posts').textContent(), /07700 900123/);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
});
