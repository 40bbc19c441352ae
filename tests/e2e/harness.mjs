// The e2e harness: starts the real `kindred` binary on a free loopback port with a fresh data
// directory, and gives tests a small HTTP client that behaves like a browser without JavaScript
// (a cookie jar, the `_csrf` field picked out of forms, urlencoded POSTs, no redirect following)
// plus a JSON API client. Only loopback addresses are ever contacted.
//
// The binary is $KINDRED_BIN (relative paths are taken from the current directory), or
// build/kindred in the repository.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// How long a server may take to answer /healthz after it starts (migrations run first).
const kStartTimeoutMs = 15_000;
// How long a server may take to exit after SIGTERM before the harness gives up and kills it.
const kStopTimeoutMs = 5_000;
// Connect/answer limit for one request: a hung server fails a test instead of the whole run.
const kRequestTimeoutMs = 15_000;

// Limits high enough that no test meets them by accident; the rate-limit tests use the defaults.
export const RELAXED_LIMITS_TOML = `
[rate_limits]
login_per_account = { burst = 1000, per_minute = 1000.0 }
login_per_address = { burst = 1000, per_minute = 1000.0 }
register_per_address = { burst = 1000, per_minute = 1000.0 }
post_per_account = { burst = 1000, per_minute = 1000.0 }
post_per_address = { burst = 1000, per_minute = 1000.0 }
personal_controls_per_account = { burst = 1000, per_minute = 1000.0 }
`;
// New members' limits off likewise, unless a test's extraConfig sets its own [moderation].
export const RELAXED_MODERATION_TOML = `
[moderation]
new_member_posts = { burst = 1000, per_minute = 1000.0 }
new_member_held_posts = 0
new_member_max_links = 1000
`;

export function kindredBinary() {
  const configured = process.env.KINDRED_BIN;
  const binary = configured ? path.resolve(process.cwd(), configured) : path.join(REPO_ROOT, 'build', 'kindred');
  if (!existsSync(binary)) {
    throw new Error(`The kindred binary is not at ${binary}. Build it (make build) or set KINDRED_BIN.`);
  }
  return binary;
}

function assertLoopback(url) {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== '[::1]' && host !== 'localhost') {
    throw new Error(`Tests only ever talk to loopback addresses, not ${host}`);
  }
}

// The server's environment without KINDRED_* settings, which would override the test's flags.
function serverEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KINDRED_')));
}

let nameCounter = 0;
// A username that is unique across the run: letters, digits and '_' only, 3-30 characters.
export function uniqueName(prefix = 'member') {
  nameCounter += 1;
  const suffix = `${process.pid.toString(36)}${nameCounter.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return `${prefix.slice(0, 30 - suffix.length - 1)}_${suffix}`;
}

export const kPassword = 'a calm long password';

// Runs the binary to completion (for `admin create` and the like).
export function runKindred(args, { input, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(kindredBinary(), args, { stdio: ['pipe', 'pipe', 'pipe'], env: serverEnvironment() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export async function createAdmin(dataDir, username, password) {
  const result = await runKindred(['admin', 'create', username, '--data', dataDir, '--password-stdin'], {
    input: `${password}\n`,
  });
  if (result.code !== 0) {
    throw new Error(`kindred admin create ${username} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return result;
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls until `check` passes or `ms` have passed (then throws its last failure); returns how
// long it took. For what the issue promises "within N seconds".
export async function within(ms, check) {
  const started = Date.now();
  let last;
  while (Date.now() - started <= ms) {
    try {
      await check();
      return Date.now() - started;
    } catch (error) {
      last = error;
    }
    await sleep(50);
  }
  throw last;
}

export class Server {
  constructor({ process: child, port, dataDir, ownsDataDir }) {
    this.process = child;
    this.port = port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.stderr = '';
    this.stdout = '';
    this.exit = null;  // {code, signal} once it has exited
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    child.stdout.on('data', (chunk) => (this.stdout = (this.stdout + chunk).slice(-200_000)));
    child.stderr.on('data', (chunk) => (this.stderr = (this.stderr + chunk).slice(-200_000)));
  }

  url(pathname) {
    return `${this.baseUrl}${pathname}`;
  }

  client() {
    return new Client(this.baseUrl);
  }

  // SIGTERM, then wait; the exit is returned so a test can check it was clean.
  async stop({ keepData = false } = {}) {
    if (!this.exit) {
      this.process.kill('SIGTERM');
      let timer;
      const deadline = new Promise((resolve) => (timer = setTimeout(() => resolve(true), kStopTimeoutMs)));
      const timedOut = await Promise.race([this.exited.then(() => false), deadline]);
      clearTimeout(timer);
      if (timedOut) {
        this.process.kill('SIGKILL');
        await this.exited;
        this.exit.timedOut = true;
      }
    }
    if (!keepData && this.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
    return this.exit;
  }
}

// Starts `kindred serve` on a free loopback port and waits for /healthz.
// limits: 'relaxed' (default) or 'default' (the built-in limits, for the 429 tests).
// dataDir: reuse a directory (restart tests); otherwise a fresh one that stop() removes.
// admin: {username, password} to create with `kindred admin create` before serving.
// extraConfig: more TOML appended to the config file (e.g. a [safety] section).
export async function startServer({ limits = 'relaxed', dataDir, admin, extraConfig = '' } = {}) {
  const ownsDataDir = !dataDir;
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'kindred-e2e-')));
  if (admin) await createAdmin(dir, admin.username, admin.password);
  const args = ['serve', '--data', dir];
  if (limits === 'relaxed' || extraConfig) {
    const configPath = path.join(dir, 'e2e-config.toml');
    // extraConfig first: its top-level keys must come before any [table].
    const relaxed = limits === 'relaxed'
      ? RELAXED_LIMITS_TOML + (extraConfig.includes('[moderation]') ? '' : RELAXED_MODERATION_TOML)
      : '';
    await writeFile(configPath, `${extraConfig}\n${relaxed}`);
    args.push('--config', configPath);
  }
  let lastFailure = '';
  // A port found free can be taken before the server binds it; try a few.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    const child = spawn(kindredBinary(), [...args, '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: serverEnvironment(),
    });
    const server = new Server({ process: child, port, dataDir: dir, ownsDataDir });
    const deadline = Date.now() + kStartTimeoutMs;
    while (Date.now() < deadline && !server.exit) {
      try {
        const response = await rawRequest(server.url('/healthz'), { timeoutMs: 1000 });
        if (response.status === 200) return server;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    lastFailure = server.exit
      ? `kindred serve exited (${JSON.stringify(server.exit)}) before answering /healthz`
      : `kindred serve did not answer /healthz within ${kStartTimeoutMs} ms`;
    lastFailure += `\n--- args: ${[...args, '--listen', `127.0.0.1:${port}`].join(' ')}\n--- stderr:\n${server.stderr}\n--- stdout:\n${server.stdout}`;
    await server.stop({ keepData: true });
    if (!/address|in use|bind/i.test(server.stderr)) break;
  }
  if (ownsDataDir) await rm(dir, { recursive: true, force: true });
  throw new Error(lastFailure);
}

// One HTTP exchange with node:http (no redirects followed, the body read whole as a Buffer).
// body may be a string or Buffer; headers are sent as given.
export function rawRequest(url, { method = 'GET', headers = {}, body, timeoutMs = kRequestTimeoutMs } = {}) {
  assertLoopback(url);
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const buffer = Buffer.concat(chunks);
        resolve({
          status: response.statusCode,
          headers: response.headers,
          rawHeaders: response.rawHeaders,
          buffer,
          text: buffer.toString('utf8'),
        });
      });
      response.on('error', reject);
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

function setCookieList(headers) {
  const value = headers['set-cookie'];
  if (!value) return [];
  return Array.isArray(value) ? value : [value];
}

// A parsed Set-Cookie header: {name, value, attributes:{lowercased name: value|true}}.
export function parseSetCookie(line) {
  const [pair, ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  const attributes = {};
  for (const part of rest) {
    const [k, ...v] = part.trim().split('=');
    if (k) attributes[k.toLowerCase()] = v.length ? v.join('=') : true;
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

// What a browser without JavaScript does: keeps cookies, reads forms, posts them.
export class Client {
  constructor(baseUrl) {
    assertLoopback(baseUrl);
    this.baseUrl = baseUrl;
    this.cookies = new Map();
    this.csrf = null;  // the _csrf value of the last page that had one, for this client's session
    this.setCookies = [];  // every Set-Cookie header seen, parsed, newest last
    this.bearer = null;
    this.defaultHeaders = {};  // sent with every request, e.g. a browser's accept-language
  }

  cookie(name) {
    return this.cookies.get(name);
  }

  signedInCookie() {
    return this.cookies.get('kindred_session');
  }

  #absorbCookies(headers) {
    for (const line of setCookieList(headers)) {
      const cookie = parseSetCookie(line);
      this.setCookies.push(cookie);
      const before = this.cookies.get(cookie.name);
      const expired = cookie.value === '' || cookie.attributes['max-age'] === '0' ||
        (cookie.attributes.expires && Date.parse(cookie.attributes.expires) < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
      // A new session (or none) means a new CSRF token: the old one must not be reused.
      if (before !== this.cookies.get(cookie.name)) this.csrf = null;
    }
  }

  async request(method, pathname, { body, headers = {}, timeoutMs } = {}) {
    const allHeaders = { ...this.defaultHeaders, ...headers };
    if (this.cookies.size) {
      allHeaders.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (this.bearer && !allHeaders.authorization) allHeaders.authorization = `Bearer ${this.bearer}`;
    if (body !== undefined && allHeaders['content-length'] === undefined) {
      allHeaders['content-length'] = Buffer.byteLength(body);
    }
    const response = await rawRequest(this.baseUrl + pathname, { method, headers: allHeaders, body, timeoutMs });
    this.#absorbCookies(response.headers);
    response.location = response.headers.location;
    response.method = method;
    response.path = pathname;
    if (/text\/html/.test(response.headers['content-type'] ?? '')) {
      const token = csrfFrom(response.text);
      if (token) this.csrf = token;
    }
    return response;
  }

  get(pathname, options) {
    return this.request('GET', pathname, options);
  }

  // GET, following up to 5 redirects (for pages reached from a 303).
  async follow(pathname) {
    let response = await this.get(pathname);
    for (let hops = 0; hops < 5 && response.status >= 300 && response.status < 400; hops += 1) {
      const next = new URL(response.location, this.baseUrl);
      assertLoopback(next.href);
      response = await this.get(next.pathname + next.search);
    }
    return response;
  }

  // The CSRF token forms of this session carry, read from a page the way a browser gets it.
  async csrfToken() {
    if (this.csrf) return this.csrf;
    for (const pathname of ['/', '/login', '/register']) {
      await this.get(pathname);
      if (this.csrf) return this.csrf;
    }
    throw new Error('No page carried a _csrf field');
  }

  // POSTs an urlencoded form. csrf: undefined = the session's token, null = none, string = that value.
  async postForm(pathname, fields = {}, { csrf, rawBody, headers = {} } = {}) {
    const params = new URLSearchParams();
    const token = csrf === undefined ? await this.csrfToken() : csrf;
    if (token !== null) params.set('_csrf', token);
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined && value !== null) params.append(name, String(value));
    }
    return this.request('POST', pathname, {
      body: rawBody ?? params.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  // Fills and submits a form found on a page, as a browser would: its own hidden and default
  // fields, then `set` on top. `choose` picks among several matching forms.
  async submit(html, actionPattern, set = {}, choose = () => true) {
    const forms = findForms(html).filter((form) =>
      (typeof actionPattern === 'string' ? form.action === actionPattern : actionPattern.test(form.action)) && choose(form));
    assert.ok(forms.length > 0, `no form with action ${actionPattern} on the page (forms: ${findForms(html).map((f) => f.action).join(', ')})`);
    const form = forms[0];
    const params = new URLSearchParams();
    const values = { ...form.values, ...set };
    for (const [name, value] of Object.entries(values)) {
      if (value !== undefined && value !== null) params.append(name, String(value));
    }
    return this.request((form.method || 'GET').toUpperCase(), form.action, {
      body: params.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  // JSON API call. body: an object (sent as JSON) or a string/Buffer (sent as is).
  async api(method, pathname, body, { token, headers = {} } = {}) {
    const allHeaders = { accept: 'application/json', ...headers };
    if (token) allHeaders.authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      if (!allHeaders['content-type']) allHeaders['content-type'] = 'application/json';
    }
    const response = await this.request(method, pathname, { body: payload, headers: allHeaders });
    try {
      response.json = response.text ? JSON.parse(response.text) : undefined;
    } catch {
      response.json = undefined;
    }
    return response;
  }
}

// ---- HTML reading: just enough to find forms and values the way a browser would. ----

export function decodeEntities(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attributes(tag) {
  const result = {};
  const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  const inner = tag.replace(/^<\s*[a-z0-9]+/i, '').replace(/\/?>$/, '');
  let match;
  while ((match = re.exec(inner))) {
    const value = match[2] ?? match[3] ?? match[4];
    result[match[1].toLowerCase()] = value === undefined ? '' : decodeEntities(value);
  }
  return result;
}

// Every <form> on the page: {action, method, values (what submitting it unchanged sends,
// without its buttons), fields: [{tag, name, type, value}], buttons: [{name, value, text}], html}.
export function findForms(html) {
  const forms = [];
  const formRe = /<form\b[^>]*>([\s\S]*?)<\/form>/gi;
  let match;
  while ((match = formRe.exec(html))) {
    const open = match[0].match(/^<form\b[^>]*>/i)[0];
    const attrs = attributes(open);
    const body = match[1];
    const values = {};
    const fields = [];
    const buttons = [];
    for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
      const a = attributes(input[0]);
      const type = (a.type ?? 'text').toLowerCase();
      if (!a.name && type !== 'submit') continue;
      if (type === 'submit' || type === 'image') {
        buttons.push({ name: a.name, value: a.value ?? '', text: a.value ?? '' });
        continue;
      }
      fields.push({ tag: 'input', name: a.name, type, value: a.value ?? '', checked: 'checked' in a });
      if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
      if (!(a.name in values)) values[a.name] = a.value ?? (type === 'checkbox' ? 'on' : '');
    }
    for (const area of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const a = attributes(`<textarea${area[1]}>`);
      if (!a.name) continue;
      const value = decodeEntities(area[2].replace(/^\r?\n/, ''));
      fields.push({ tag: 'textarea', name: a.name, value });
      values[a.name] = value;
    }
    for (const select of body.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const a = attributes(`<select${select[1]}>`);
      if (!a.name) continue;
      const options = [...select[2].matchAll(/<option\b([^>]*)>([\s\S]*?)(?=<option\b|<\/option>|$)/gi)].map((o) => {
        const oa = attributes(`<option${o[1]}>`);
        const text = decodeEntities(o[2].replace(/<[^>]*>/g, '').trim());
        return { value: oa.value ?? text, text, selected: 'selected' in oa };
      });
      const chosen = options.find((o) => o.selected) ?? options[0];
      fields.push({ tag: 'select', name: a.name, value: chosen?.value ?? '', options });
      if (chosen) values[a.name] = chosen.value;
    }
    for (const button of body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
      const a = attributes(`<button${button[1]}>`);
      if ((a.type ?? 'submit').toLowerCase() !== 'submit') continue;
      buttons.push({ name: a.name, value: a.value ?? '', text: decodeEntities(button[2].replace(/<[^>]*>/g, '').trim()) });
    }
    forms.push({ action: attrs.action ?? '', method: attrs.method ?? 'get', values, fields, buttons, html: match[0] });
  }
  return forms;
}

export function csrfFrom(html) {
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = attributes(input[0]);
    if (a.name === '_csrf' && a.value) return a.value;
  }
  return null;
}

// The value a field named `name` shows in the first form that has it (undefined if none).
export function fieldValue(html, name, actionPattern) {
  for (const form of findForms(html)) {
    if (actionPattern && !(typeof actionPattern === 'string' ? form.action === actionPattern : actionPattern.test(form.action))) continue;
    const field = form.fields.find((f) => f.name === name);
    if (field) return field.value;
  }
  return undefined;
}

// The visible text of a page (tags dropped, entities decoded), for "does the page say X".
export function visibleText(html) {
  return decodeEntities(
    html
      .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
      .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
      .replace(/<[^>]*>/g, ' '),
  ).replace(/\s+/g, ' ');
}

// What a refused form says: the text of its role="alert" notices and field errors.
export function formErrors(html) {
  const notices = [...html.matchAll(/<(div|p)\b[^>]*(role="alert"|class="field-error")[^>]*>([\s\S]*?)<\/\1>/gi)];
  return notices.map((m) => visibleText(m[3]).trim()).join(' | ');
}

// ---- Community set-up shared by the test files. ----

// Starts a server with an admin and one category, and returns what tests need to act in it.
export async function startForum(options = {}) {
  const admin = { username: uniqueName('admin'), password: kPassword };
  const server = await startServer({ ...options, admin });
  const client = server.client();
  const session = await client.api('POST', '/api/v1/sessions', { username: admin.username, password: admin.password });
  assert.equal(session.status, 201, `admin sign-in: ${session.status} ${session.text}`);
  admin.token = session.json.token;
  admin.id = session.json.user?.id;
  const category = await createCategoryApi(server, admin.token, 'Feelings and therapy', 'Talking about therapy, and what comes up.');
  return { server, admin, category };
}

// Runs `body(forum)` against a fresh forum (startForum's options), and stops it whatever happens.
export async function withForum(options, body) {
  if (typeof options === 'function') [options, body] = [{}, options];
  const forum = await startForum(options);
  try {
    await body(forum);
  } finally {
    await forum.server.stop();
  }
}

export async function createCategoryApi(server, adminToken, name, description = 'A place to talk.') {
  const response = await server.client().api('POST', '/api/v1/categories', { name, description }, { token: adminToken });
  assert.equal(response.status, 201, `create category ${name}: ${response.status} ${response.text}`);
  return response.json.category;
}

// A member made through the API: {username, password, id, token}.
export async function apiMember(server, prefix = 'member') {
  const client = server.client();
  const username = uniqueName(prefix);
  const created = await client.api('POST', '/api/v1/users', { username, password: kPassword });
  assert.equal(created.status, 201, `register ${username}: ${created.status} ${created.text}`);
  const session = await client.api('POST', '/api/v1/sessions', { username, password: kPassword });
  assert.equal(session.status, 201, `sign in ${username}: ${session.status} ${session.text}`);
  return { username, password: kPassword, id: created.json.user.id, token: session.json.token };
}

// A member signed in through the forms: a Client holding a session cookie.
export async function formMember(server, prefix = 'member') {
  const client = server.client();
  const username = uniqueName(prefix);
  await client.get('/register');
  const registered = await client.postForm('/register', { username, password: kPassword, email: '' });
  assert.equal(registered.status, 303, `register form for ${username}: ${registered.status}\n${visibleText(registered.text).slice(0, 500)}`);
  if (!client.signedInCookie()) {
    await client.get('/login');
    const login = await client.postForm('/login', { username, password: kPassword });
    assert.equal(login.status, 303, `login form for ${username}: ${login.status}`);
  }
  assert.ok(client.signedInCookie(), 'a session cookie after registering and signing in');
  client.username = username;
  client.password = kPassword;
  return client;
}

export function sessionToken(server, username, password = kPassword) {
  return server
    .client()
    .api('POST', '/api/v1/sessions', { username, password })
    .then((r) => {
      assert.equal(r.status, 201, `sign in ${username}: ${r.status} ${r.text}`);
      return r.json.token;
    });
}

// Asks through the API; returns {topic, post}.
export async function askApi(server, token, categoryId, title = `A question ${uniqueName('q')}`, body = 'Some words about it.') {
  const response = await server.client().api('POST', '/api/v1/topics', { category_id: categoryId, title, body }, { token });
  assert.equal(response.status, 201, `ask: ${response.status} ${response.text}`);
  return response.json;
}

export async function replyApi(server, token, topicId, body = 'A reply from experience.', extra = {}) {
  const response = await server.client().api('POST', `/api/v1/topics/${topicId}/posts`, { body, ...extra }, { token });
  assert.equal(response.status, 201, `reply: ${response.status} ${response.text}`);
  return response.json.post;
}

export async function topicApi(server, topicId, page = 1, token) {
  const response = await server.client().api('GET', `/api/v1/topics/${topicId}?page=${page}`, undefined, { token });
  assert.equal(response.status, 200, `show topic ${topicId}: ${response.status} ${response.text}`);
  return response.json;
}

// The topic id in a Location such as /t/42 or /t/42?page=2#p7.
export function topicIdFrom(location) {
  const match = /\/t\/(\d+)/.exec(location ?? '');
  assert.ok(match, `a topic link in Location ${location}`);
  return Number(match[1]);
}

// Checks an API error body: {error:{code, message, field?}}.
export function assertApiError(response, status, { code, field } = {}) {
  const where = `${response.method} ${response.path}`;
  assert.equal(response.status, status, `${where}: expected ${status}, got ${response.status} ${response.text.slice(0, 300)}`);
  assert.ok(response.json && typeof response.json.error === 'object', `${where}: an {error:{...}} body, got ${response.text.slice(0, 300)}`);
  assert.equal(typeof response.json.error.code, 'string', `${where}: error.code`);
  assert.ok(response.json.error.code.length > 0, `${where}: error.code not empty`);
  assert.equal(typeof response.json.error.message, 'string', `${where}: error.message`);
  assert.ok(response.json.error.message.length > 0, `${where}: error.message not empty`);
  if (code) assert.equal(response.json.error.code, code, `${where}: error.code`);
  if (field) assert.equal(response.json.error.field, field, `${where}: error.field`);
  return response.json.error;
}

export function assertHtml(response, status) {
  const where = `${response.method} ${response.path}`;
  assert.equal(response.status, status, `${where}: expected ${status}, got ${response.status}: ${visibleText(response.text).slice(0, 400)}`);
  assert.match(response.headers['content-type'] ?? '', /text\/html/, `${where}: an HTML page`);
}
