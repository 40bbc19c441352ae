// Finding what is already there (issue 3) in headless Chromium: the similar-question list that
// appears while a title is typed on the new-question page (and, without script, in the Preview
// step), the search box in the header, and the search page with a corrected spelling, checked
// with axe-core. KINDRED_SCREENSHOTS=DIR saves phone-width (390 px) screenshots of both pages.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { apiMember, askApi, replyApi, startForum } from '../e2e/harness.mjs';
import { assertAccessible, assertNoProblems, launchBrowser, registerInBrowser, submitAndWait, watchedContext } from './browser.mjs';

// The issue: what is written is searchable within a second or two.
const kIndexedWithinMs = 5000;
const kPhone = { width: 390, height: 844 };

let forum;
let browser;
let therapyTopic;
before(async () => {
  forum = await startForum();
  browser = await launchBrowser();
  const sam = await apiMember(forum.server, 'sam');
  const kim = await apiMember(forum.server, 'kim');
  therapyTopic = (await askApi(forum.server, sam.token, forum.category.id, 'Is it normal to cry after therapy?',
    'Every week I leave my therapy session and cry in the car. Someone called it a therapy hangover.')).topic;
  await replyApi(forum.server, kim.token, therapyTopic.id, 'Yes. I cry after therapy too; it means the work is reaching you.');
  await askApi(forum.server, kim.token, forum.category.id, 'How do you sleep before a big exam?', 'I lie awake the whole night before every exam.');
  await waitUntilSearchFinds('therapy hangover', therapyTopic.id);
});
after(async () => {
  await browser?.close();
  await forum?.server.stop();
});

async function waitUntilSearchFinds(q, topicId) {
  const deadline = Date.now() + kIndexedWithinMs;
  for (;;) {
    const response = await forum.server.client().api('GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    if (response.status === 200 && response.json.results.some((r) => r.topic.id === topicId)) return;
    assert.ok(Date.now() < deadline, `search finds topic ${topicId} for "${q}": ${response.status} ${response.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function screenshot(page, name) {
  if (!process.env.KINDRED_SCREENSHOTS) return;
  await page.screenshot({ path: path.join(process.env.KINDRED_SCREENSHOTS, `${name}.png`), fullPage: true });
}

describe('similar questions while asking', () => {
  test('typing a title shows the questions that may already have answers, and an unrelated one shows none', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl, { viewport: kPhone });
    try {
      const page = await context.newPage();
      await registerInBrowser(page, 'asker');
      await page.goto('/new');
      await page.getByLabel('Title').fill('Crying after my therapy sessions');
      const list = page.locator('#similar-live');
      const link = list.getByRole('link', { name: /Is it normal to cry after therapy\?/ });
      await link.waitFor({ timeout: 5000 });
      assert.equal(await list.getByRole('heading', { level: 2 }).textContent(), 'These questions may already have answers');
      assert.equal(await list.getAttribute('aria-live'), 'polite');
      assert.equal(await link.getAttribute('href'), `/t/${therapyTopic.id}`);
      assert.equal(await link.getAttribute('target'), '_blank', 'opens beside the draft, which is kept');
      assert.match(await list.locator('li').first().textContent(), /1 reply/);
      assert.ok((await list.locator('li').count()) <= 5);
      await page.getByLabel('Your question').fill('Every week I cry in the car on the way home from therapy.');
      await screenshot(page, 'new-question-with-suggestions');

      // Something no one has asked: the list goes away rather than showing a loose match.
      await page.getByLabel('Title').fill('Which watercolour paper for landscapes?');
      await page.getByLabel('Your question').fill('Cold press or hot press for painting hills?');
      await page.waitForFunction(() => document.querySelectorAll('#similar-live li').length === 0, null, { timeout: 5000 });
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('without JavaScript, “Look for similar questions first” shows the same list and keeps the text; Post still posts', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl, { javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await registerInBrowser(page, 'nojs');
      await page.goto('/new');
      await page.getByLabel('Category').selectOption(String(forum.category.id));
      await page.getByLabel('Title').fill('Crying after my therapy sessions');
      await page.getByLabel('Your question').fill('Every week I cry after therapy.');
      await submitAndWait(page, () => page.getByRole('button', { name: /^Look for similar questions first/ }).click());
      assert.match(new URL(page.url()).pathname, /^\/new$/, 'still on the form: nothing was posted');
      await page.locator('#similar-live').getByRole('link', { name: /Is it normal to cry after therapy\?/ }).waitFor();
      assert.equal(await page.getByLabel('Title').inputValue(), 'Crying after my therapy sessions');
      assert.equal(await page.getByLabel('Your question').inputValue(), 'Every week I cry after therapy.');
      await submitAndWait(page, () => page.getByRole('button', { name: 'Post your question' }).click());
      assert.match(page.url(), /\/t\/\d+/, 'posted');
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
});

describe('search', () => {
  test('the header search box finds a topic and links to its best post', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl);
    try {
      const page = await context.newPage();
      await page.goto('/');
      const box = page.getByRole('search', { name: 'Search the forum' }).getByRole('searchbox');
      await box.fill('crying after therapy');
      await submitAndWait(page, () => box.press('Enter'));
      assert.match(page.url(), /\/search\?q=crying\+after\+therapy/);
      const result = page.locator('ol.results a.title').first();
      assert.match(await result.textContent(), /Is it normal to cry after therapy\?/);
      assert.ok(await page.locator('ol.results mark').count() > 0, 'matched words are highlighted');
      await submitAndWait(page, () => result.click());
      assert.match(page.url(), new RegExp(`/t/${therapyTopic.id}\\?page=1#p\\d+`));
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('a misspelled query says "Showing results for" and offers the original; axe finds nothing', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl, { bypassCSP: true, viewport: kPhone });
    try {
      const page = await context.newPage();
      await page.goto('/search?q=therepy+hangover');
      const said = page.locator('p.corrected');
      assert.match((await said.textContent()).replace(/\s+/g, ' '),
        /^Showing results for therapy hangover\. Search instead for therepy hangover$/);
      assert.equal(await said.getByRole('link').getAttribute('href'), '/search?q=therepy%20hangover&exact=1');
      assert.match(await page.locator('ol.results a.title').first().textContent(), /cry after therapy/);
      await screenshot(page, 'search-corrected');
      await assertAccessible(page, 'the search page with a corrected query');

      await page.goto('/search?q=watercolour+landscapes');
      assert.match(await page.locator('.nothing').textContent(), /fewer words, or different ones/);
      await assertAccessible(page, 'the search page with nothing found');

      await page.goto(`/search?q=${'worry+'.repeat(30)}end`);
      assert.match(await page.locator('#q-error').textContent(), /16 words/);
      assert.match(await page.getByRole('searchbox', { name: 'Search for' }).inputValue(), /^worry worry/);
      await screenshot(page, 'search-too-long');
      await assertAccessible(page, 'the search page with a refused query');

      const member = await registerInBrowser(page, 'axe');
      assert.ok(member);
      await page.goto('/new');
      await page.getByLabel('Title').fill('Crying after my therapy sessions');
      await page.locator('#similar-live li').first().waitFor({ timeout: 5000 });
      await assertAccessible(page, 'the new-question page showing similar questions');
    } finally {
      await context.close();
    }
  });
});
