// Browser-test helpers: Debian's Chromium driven by playwright-core (never a downloaded browser),
// pages watched for CSP violations, script errors and requests to anywhere but the test server,
// and axe-core injected for accessibility checks.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { chromium } from 'playwright-core';

import { after, before } from 'node:test';

import { kPassword, startForum, uniqueName } from '../e2e/harness.mjs';

const require = createRequire(import.meta.url);
export const kAxePath = path.join(path.dirname(require.resolve('axe-core/package.json')), 'axe.min.js');

export const kChromiumPath = process.env.KINDRED_CHROMIUM ?? '/usr/bin/chromium';

// One forum and one browser for a whole test file, stopped after it: `shared.forum` and
// `shared.browser` are there once the file's tests run.
export function forumAndBrowserForFile() {
  const shared = {};
  before(async () => {
    shared.forum = await startForum();
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.forum?.server.stop();
  });
  return shared;
}

export async function launchBrowser() {
  assert.ok(existsSync(kChromiumPath), `Chromium is needed at ${kChromiumPath} (Debian package "chromium")`);
  return chromium.launch({
    executablePath: kChromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

// A context whose pages record what should never happen: CSP violations, uncaught script errors,
// console errors, and requests leaving the test server.
export async function watchedContext(browser, baseUrl, options = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, ...options });
  const origin = new URL(baseUrl).origin;
  context.problems = [];
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('about:')) {
      context.problems.push(`request to another host: ${url}`);
    }
  });
  context.on('page', (page) => watchPage(context, page));
  return context;
}

function watchPage(context, page) {
  // KINDRED_BROWSER_DEBUG=1 traces every request, answer and page load to stderr.
  if (process.env.KINDRED_BROWSER_DEBUG) {
    page.on('request', (r) => process.stderr.write(`> ${r.method()} ${r.url()}\n`));
    page.on('response', (r) => process.stderr.write(`< ${r.status()} ${r.url()} ${r.headers().location ?? ''}\n`));
    page.on('load', () => process.stderr.write(`load ${page.url()}\n`));
  }
  page.on('console', (message) => {
    if (message.type() === 'error') context.problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => context.problems.push(`script error on ${page.url()}: ${error.message}`));
}

export function assertNoProblems(context) {
  assert.deepEqual(context.problems, [], 'no CSP violations, script errors or outside requests');
}

// Registers through the Join page as a person would, and leaves the page signed in.
export async function registerInBrowser(page, prefix) {
  const username = uniqueName(prefix);
  await page.goto('/');
  await page.getByRole('link', { name: 'Join' }).first().click();
  await page.waitForURL(/\/register/);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(kPassword);
  await submitAndWait(page, () => page.getByRole('button', { name: 'Join' }).click());
  assert.ok(await page.getByRole('button', { name: /sign out/i }).first().isVisible(), `${username} is signed in after joining`);
  return username;
}

export async function signInInBrowser(page, username, password = kPassword) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await submitAndWait(page, () => page.getByRole('button', { name: 'Sign in' }).click());
  assert.ok(!new URL(page.url()).pathname.startsWith('/login'), `signed in as ${username}`);
}

// Submits a form by `action` (a click) and waits for the page it leads to to load: a form POST
// answers 303 and the browser loads the next page, so the page's own load event is the signal.
export async function submitAndWait(page, action) {
  await Promise.all([page.waitForEvent('load'), action()]);
}

// Runs axe-core on the page (WCAG 2.x A and AA rules) and fails listing every violation.
export async function assertAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.addScriptTag({ path: kAxePath });
  const results = await page.evaluate(async () =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  const described = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n    ')}`);
  assert.deepEqual(described, [], `axe-core violations on ${label} (${page.url()})`);
  return results;
}
