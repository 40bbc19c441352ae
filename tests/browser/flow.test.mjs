// The browser story in headless Chromium: a visitor joins and asks a question; a second
// member replies with Markdown and gives a hug; the first sees both. Then axe-core on the home,
// topic, new-question and sign-in pages, and the same story with JavaScript turned off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { apiMember, askApi, replyApi, startForum, topicApi } from '../e2e/harness.mjs';
import {
  assertAccessible,
  assertNoProblems,
  launchBrowser,
  registerInBrowser,
  signInInBrowser,
  submitAndWait,
  watchedContext,
} from './browser.mjs';

let forum;
let browser;
let seededTopicId;  // a topic with a Markdown reply and a hug, made through the API, for the page checks
before(async () => {
  forum = await startForum();
  browser = await launchBrowser();
  const asker = await apiMember(forum.server, 'seedasker');
  const replier = await apiMember(forum.server, 'seedreplier');
  const { topic, post } = await askApi(forum.server, asker.token, forum.category.id, 'How do you get through the first weeks?',
    'Everything feels *new* and a bit frightening.');
  await replyApi(forum.server, replier.token, topic.id, kReplyMarkdown);
  await forum.server.client().api('POST', `/api/v1/posts/${post.id}/reactions`, { kind: 'hug' }, { token: replier.token });
  seededTopicId = topic.id;
});
after(async () => {
  await browser?.close();
  await forum?.server.stop();
});

const kReplyMarkdown = 'Yes, **it is normal**. It means the work is *reaching* you.\n\n- be gentle with yourself\n- see [this guide](https://example.org/guide)';

async function askInBrowser(page, title, body) {
  await page.goto('/');
  await page.getByRole('link', { name: 'Ask a question' }).first().click();
  await page.waitForURL(/\/new/);
  await page.getByLabel('Category').selectOption(String(forum.category.id));
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Your question').fill(body);
  await submitAndWait(page, () => page.getByRole('button', { name: 'Post your question' }).click());
  const error = await page.locator('[role=alert]').allTextContents();
  assert.match(page.url(), /\/t\/\d+([?#]|$)/, `the new topic is shown: ${page.url()} ${error.join(' ')}`);
  return Number(/\/t\/(\d+)/.exec(page.url())[1]);
}

async function replyInBrowser(page, topicId, body) {
  await page.goto(`/t/${topicId}`);
  await page.getByLabel('Your reply').fill(body);
  await submitAndWait(page, () => page.getByRole('button', { name: 'Post reply' }).click());
  const error = await page.locator('[role=alert]').allTextContents();
  assert.match(page.url(), new RegExp(`/t/${topicId}([?#]|$)`), `back on the topic, not the form again: ${page.url()} ${error.join(' ')}`);
}

async function checkStory({ javaScriptEnabled }) {
  const asker = await watchedContext(browser, forum.server.baseUrl, { javaScriptEnabled });
  const replier = await watchedContext(browser, forum.server.baseUrl, { javaScriptEnabled });
  try {
    const askerPage = await asker.newPage();
    const askerName = await registerInBrowser(askerPage, 'asker');
    const title = javaScriptEnabled ? 'Is it normal to cry after therapy?' : 'Is it normal to feel tired after therapy?';
    const topicId = await askInBrowser(askerPage, title, 'Every week I leave the session and *cry* in the car.');
    await assertHeading(askerPage, title);
    assert.equal(await askerPage.locator('article#p1 .body em').textContent(), 'cry', 'the question is rendered');

    const replierPage = await replier.newPage();
    const replierName = await registerInBrowser(replierPage, 'replier');
    await replyInBrowser(replierPage, topicId, kReplyMarkdown);
    const question = replierPage.locator('article#p1');
    await submitAndWait(replierPage, () => question.getByRole('button', { name: /^Hug/ }).click());
    await assertPressed(replierPage.locator('article#p1').getByRole('button', { name: /^Hug/ }));

    await askerPage.reload();
    const reply = askerPage.locator('article#p2');
    assert.equal(await reply.locator('.body strong').textContent(), 'it is normal', 'bold rendered');
    assert.equal(await reply.locator('.body em').textContent(), 'reaching', 'italic rendered');
    assert.equal(await reply.locator('.body li').count(), 2, 'the list rendered');
    const link = reply.locator('.body a[href="https://example.org/guide"]');
    assert.equal(await link.count(), 1);
    assert.deepEqual((await link.getAttribute('rel')).split(/\s+/).sort(), ['nofollow', 'noopener', 'ugc']);
    assert.ok(!(await askerPage.content()).includes('**it is normal**'), 'no raw Markdown shown');
    const hug = askerPage.locator('article#p1 .react', { hasText: 'Hug' });
    assert.match((await hug.first().textContent()).replace(/\s+/g, ' '), /Hug 1/, 'the asker sees the hug count');
    assert.match(await askerPage.locator('article#p2 header').textContent(), new RegExp(replierName));

    const shown = await topicApi(forum.server, topicId);
    assert.equal(shown.posts[0].reactions.hug, 1);
    assert.equal(shown.posts[0].author?.username ?? shown.posts[0].author, askerName);
    assertNoProblems(asker);
    assertNoProblems(replier);
    return topicId;
  } finally {
    await asker.close();
    await replier.close();
  }
}

async function assertHeading(page, text) {
  assert.equal((await page.getByRole('heading', { level: 1 }).textContent()).trim(), text);
}

async function assertPressed(button) {
  assert.equal(await button.getAttribute('aria-pressed'), 'true', 'the hug button shows it was given');
}

describe('two members in two browsers', () => {
  test('a visitor registers and asks; a second member replies with Markdown and a hug; the first sees both', async () => {
    await checkStory({ javaScriptEnabled: true });
  });

  test('asking, replying and reacting all work with JavaScript turned off', async () => {
    await checkStory({ javaScriptEnabled: false });
  });

  test('the Quote link puts a selection into the reply box (the script), or opens the reply page', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl);
    try {
      const page = await context.newPage();
      await registerInBrowser(page, 'quoter');
      await page.goto(`/t/${seededTopicId}`);
      await page.locator('article#p1 .body p').first().selectText();
      await page.locator('article#p1 a.quote').click();
      const value = await page.getByLabel('Your reply').inputValue();
      if (page.url().includes('/reply')) {
        assert.match(value, /^>/m, 'the reply page starts with the quote');
      } else {
        assert.match(value, /^> /m, 'the selection was quoted into the reply box');
        assert.ok(value.includes('frightening'), value);
      }
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
});

describe('accessibility (axe-core)', () => {
  test('no violations on the home, topic, new-question and sign-in pages', async () => {
    // bypassCSP only here, so that axe's script can be injected; the story above runs under the real CSP.
    const context = await watchedContext(browser, forum.server.baseUrl, { bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto('/login');
      await assertAccessible(page, 'the sign-in page');
      await page.goto('/register');
      await assertAccessible(page, 'the join page');
      await page.goto('/');
      await assertAccessible(page, 'the home page (visitor)');
      await page.goto(`/t/${seededTopicId}`);
      await assertAccessible(page, 'the topic page (visitor)');

      const username = await registerInBrowser(page, 'axe');
      await page.goto('/');
      await assertAccessible(page, 'the home page (member)');
      await page.goto(`/t/${seededTopicId}`);
      await assertAccessible(page, 'the topic page (member, with reply form and reactions)');
      await page.goto('/new');
      await assertAccessible(page, 'the new-question page');
      await page.getByLabel('Category').selectOption(String(forum.category.id));
      await page.getByLabel('Title').fill('short');
      await page.getByLabel('Your question').fill('x');
      await submitAndWait(page, () => page.getByRole('button', { name: 'Post your question' }).click());
      assert.equal(await page.getByLabel('Title').inputValue(), 'short', 'the refused form comes back filled');
      await assertAccessible(page, 'the new-question page showing an error');
      await page.goto(`/c/${forum.category.slug}`);
      await assertAccessible(page, 'the category page');
      await page.goto(`/u/${username}`);
      await assertAccessible(page, 'the profile page');
      await page.goto('/t/987654');
      await assertAccessible(page, 'the not-found page');

      // A reply sent once the session is gone: its words come back, on an accessible page.
      await page.goto(`/t/${seededTopicId}/reply`);
      await page.getByLabel('Your reply').fill('Words that must not be lost.');
      await context.clearCookies();
      await submitAndWait(page, () => page.getByRole('button', { name: 'Post reply' }).click());
      assert.equal(await page.getByLabel('Your text').inputValue(), 'Words that must not be lost.');
      await assertAccessible(page, 'the page giving back the words of a form that could not be sent');

      const adminContext = await watchedContext(browser, forum.server.baseUrl, { bypassCSP: true });
      const admin = await adminContext.newPage();
      await signInInBrowser(admin, forum.admin.username);
      await admin.goto('/admin/categories');
      await assertAccessible(admin, 'the admin categories page');
      await admin.goto(`/t/${seededTopicId}`);
      await assertAccessible(admin, 'the topic page with moderation');
      await adminContext.close();
    } finally {
      await context.close();
    }
  });

  test('keyboard: the skip link comes first and focus is visible', async () => {
    const context = await watchedContext(browser, forum.server.baseUrl);
    try {
      const page = await context.newPage();
      await page.goto('/');
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return { text: el.textContent.trim(), href: el.getAttribute('href'), outline: style.outlineStyle, width: style.outlineWidth, shadow: style.boxShadow };
      });
      assert.equal(focused.href, '#main', `the first Tab reaches the skip link: ${JSON.stringify(focused)}`);
      assert.ok((focused.outline !== 'none' && focused.width !== '0px') || focused.shadow !== 'none', `focus is visible: ${JSON.stringify(focused)}`);
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });
});
