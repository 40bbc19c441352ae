// Support while writing (issue 4, "Browser test") in headless Chromium: typing a crisis sentence
// on the new-question page shows the helpline panel before anything is posted, its links are
// one-tap tel:/sms: links for the browser's country (en-GB: the UK), and axe-core finds no
// violations with the panel open.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { assertAccessible, assertNoProblems, registerInBrowser, watchedContext, forumAndBrowserForFile } from './browser.mjs';

const kCrisisSentence = "I can't go on. Tonight I am going to take all my pills. This is goodbye.";
// The check waits for a pause in typing, then asks the server: well under this.
const kPanelWithinMs = 5000;

const shared = forumAndBrowserForFile();

// Opens the new-question page signed in, types the sentence, and waits for the panel.
async function typeCrisisSentence(context) {
  const page = await context.newPage();
  await registerInBrowser(page, 'writer');
  await page.goto('/new');
  await page.getByLabel('Title').fill('I need to say this');
  await page.getByLabel('Your question').pressSequentially(kCrisisSentence, { delay: 5 });
  const panel = page.locator('#support-live section.support');
  await panel.waitFor({ timeout: kPanelWithinMs });
  return { page, panel };
}

describe('support while writing a question', () => {
  test('a crisis sentence shows the helplines before posting, as tel: and sms: links', async () => {
    const context = await watchedContext(shared.browser, shared.forum.server.baseUrl, { locale: 'en-GB', viewport: { width: 390, height: 844 } });
    try {
      const { page, panel } = await typeCrisisSentence(context);
      assert.equal(new URL(page.url()).pathname, '/new', 'nothing was posted');
      assert.equal(await panel.getByRole('heading', { level: 2 }).textContent(), 'You are not alone');
      const hrefs = await panel.locator('.contacts a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      assert.ok(hrefs.length > 0, 'at least one helpline');
      // Phone lines are tel: and sms:; a line that also answers by email (Samaritans) keeps its
      // mailto:, and the directory's "find a line elsewhere" is a web page. Nothing else.
      for (const href of hrefs) assert.match(href, /^(tel:|sms:|mailto:|https:\/\/)/, `a one-tap link: ${href}`);
      assert.ok(hrefs.every((href) => !/^tel:|^sms:/.test(href) || /^(tel|sms):\+?[0-9]+(\?.*)?$/.test(href)), `well-formed numbers: ${hrefs}`);
      assert.ok(hrefs.some((href) => href.startsWith('tel:')), `a number to call: ${hrefs}`);
      assert.ok(hrefs.includes('tel:116123'), `Samaritans for the UK: ${hrefs}`);
      assert.ok(hrefs.some((href) => href.startsWith('sms:')), `a line to text: ${hrefs}`);
      const emergency = await panel.locator('.emergency a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      assert.ok(emergency.length > 0 && emergency.every((href) => href.startsWith('tel:')), `emergency numbers are tel: ${emergency}`);
      assert.equal(await page.locator('#support-live').getAttribute('aria-live'), 'polite');
      // Posting is never blocked: the button is there and enabled.
      assert.ok(await page.getByRole('button', { name: 'Post your question' }).isEnabled());
      if (process.env.KINDRED_SCREENSHOTS) {
        await page.screenshot({ path: path.join(process.env.KINDRED_SCREENSHOTS, 'new-question-support.png'), fullPage: true });
      }
      assertNoProblems(context);
    } finally {
      await context.close();
    }
  });

  test('axe-core finds no violations on the page with the panel open', async () => {
    // bypassCSP only here, so that axe's script can be injected; the test above runs under the real CSP.
    const context = await watchedContext(shared.browser, shared.forum.server.baseUrl, { locale: 'en-GB', bypassCSP: true });
    try {
      const { page } = await typeCrisisSentence(context);
      await assertAccessible(page, 'the new-question page with the support panel open');
    } finally {
      await context.close();
    }
  });
});
