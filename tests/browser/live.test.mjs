// Live replies in headless Chromium: a signed-in reader has a topic open; another member replies
// (through the API, as from another device); the reply appears at the end of the page without a
// reload, looking like the others, the polite live region says who wrote it, the reader's focus
// and scroll position stay where they were. A visitor's page gets the same, and axe-core finds
// nothing wrong with it. Nothing breaks the strict CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { apiMember, askApi, replyApi } from '../e2e/harness.mjs';
import { assertAccessible, assertNoProblems, signInInBrowser, submitAndWait, watchedContext, forumAndBrowserForFile } from './browser.mjs';

// The promise, plus the time the browser takes to parse and show it.
const kAppearsWithinMs = 3000;

const shared = forumAndBrowserForFile();

test('a reader sees a reply from another member appear and hears it announced', async () => {
  const asker = await apiMember(shared.forum.server, 'liveasker');
  const replier = await apiMember(shared.forum.server, 'livereplier');
  const { topic } = await askApi(shared.forum.server, asker.token, shared.forum.category.id, 'How do you sleep before a hard day?',
    'I lie awake going over everything.');
  await replyApi(shared.forum.server, replier.token, topic.id, 'A first reply, already there.');

  const context = await watchedContext(shared.browser, shared.forum.server.baseUrl);
  try {
    const page = await context.newPage();
    await signInInBrowser(page, asker.username);
    await page.goto(`/t/${topic.id}`);
    assert.equal(await page.locator('article.post').count(), 2);
    // No need to wait for the stream to open: it starts from where the page was rendered, so a
    // reply written before it connects is still sent.
    await page.evaluate(() => { document.documentElement.style.scrollBehavior = 'auto'; });
    await page.getByLabel('Your reply').focus();
    // The script must never scroll the page itself. The shared.browser's own scroll anchoring may (it
    // keeps what is on screen in place when content is added above it), so it is switched off
    // here to see the script alone.
    await page.evaluate(() => { document.documentElement.style.overflowAnchor = 'none'; });
    await page.waitForTimeout(300);
    const scrollBefore = await page.evaluate(() => window.scrollY);

    const reply = await replyApi(shared.forum.server, replier.token, topic.id,
      'Writing it all down *before bed* helps me. <img src=x onerror=alert(1)>');
    const article = page.locator(`article.post[data-id="${reply.id}"]`);
    await article.waitFor({ timeout: kAppearsWithinMs });
    assert.equal(await page.locator('article.post').count(), 3, 'added once, at the end');
    assert.equal(await page.locator('article.post').last().getAttribute('data-id'), String(reply.id));
    assert.equal(await article.locator('.body em').textContent(), 'before bed', 'rendered like the page renders posts');
    assert.equal(await article.locator('img').count(), 0, 'raw HTML in a post never becomes an element');
    assert.equal(await article.getByRole('button', { name: /^Hug/ }).count(), 1, 'the reader can react to it at once');

    await page.waitForFunction((name) => document.getElementById('live-status')?.textContent === `New reply from ${name}`,
      replier.username, { timeout: kAppearsWithinMs });
    assert.equal(await page.locator('#live-status').getAttribute('aria-live'), 'polite');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'reply-body', 'focus stays in the reply box');
    assert.equal(await page.evaluate(() => window.scrollY), scrollBefore, 'the script did not scroll the page');

    // A second reply is announced too, and nothing is added twice.
    const second = await replyApi(shared.forum.server, asker.token, topic.id, 'Thank you, I will try that.');
    await page.locator(`article.post[data-id="${second.id}"]`).waitFor({ timeout: kAppearsWithinMs });
    await page.waitForFunction((name) => document.getElementById('live-status')?.textContent === `New reply from ${name}`,
      asker.username, { timeout: kAppearsWithinMs });
    assert.equal(await page.locator('article.post').count(), 4);

    // The live reply's forms work like any other's: a hug on it is saved.
    await submitAndWait(page, () => page.locator(`article.post[data-id="${reply.id}"]`).getByRole('button', { name: /^Hug/ }).click());
    assert.equal(await page.locator(`article.post[data-id="${reply.id}"]`).getByRole('button', { name: /^Hug/ }).getAttribute('aria-pressed'), 'true');
    assertNoProblems(context);  // under the real CSP: nothing blocked, no script errors
  } finally {
    await context.close();
  }
});

test('a visitor sees new replies too, and the page stays accessible', async () => {
  const asker = await apiMember(shared.forum.server, 'visitasker');
  const { topic } = await askApi(shared.forum.server, asker.token, shared.forum.category.id);
  // bypassCSP only here, so that axe's script can be injected; the test above runs under the real CSP.
  const context = await watchedContext(shared.browser, shared.forum.server.baseUrl, { bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(`/t/${topic.id}`);
    await page.waitForTimeout(300);
    const reply = await replyApi(shared.forum.server, asker.token, topic.id, 'An update on how it went.');
    await page.locator(`article.post[data-id="${reply.id}"]`).waitFor({ timeout: kAppearsWithinMs });
    await page.waitForFunction((name) => document.getElementById('live-status')?.textContent === `New reply from ${name}`,
      asker.username, { timeout: kAppearsWithinMs });
    await assertAccessible(page, 'a topic with a live reply, announced');
    assertNoProblems(context);
  } finally {
    await context.close();
  }
});
