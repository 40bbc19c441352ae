// What must hold whatever people send: Markdown and names come out inert, every page carries a
// strict Content-Security-Policy and loads nothing from elsewhere, and oversized, invalid or
// malformed requests get a clean 4xx while the server keeps answering.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import {
  apiMember,
  askApi,
  assertApiError,
  findForms,
  formMember,
  rawRequest,
  replyApi,
  startForum,
  topicApi,
  visibleText,
} from './harness.mjs';

let forum;
before(async () => {
  forum = await startForum();
});
after(async () => {
  await forum?.server.stop();
});

async function assertHealthy() {
  const health = await rawRequest(forum.server.url('/healthz'));
  assert.equal(health.status, 200, 'the server still answers /healthz');
}

// Tags in the HTML that could run script: <script> without src pointing at our /static, event
// handler attributes, javascript:/data: URLs in href or src.
function dangerousMarkup(html) {
  const found = [];
  for (const tag of html.matchAll(/<[a-z][^>]*>/gi)) {
    const text = tag[0];
    if (/^<script\b/i.test(text) && !/\ssrc="\/static\//i.test(text)) found.push(text);
    if (/\son[a-z]+\s*=/i.test(text)) found.push(text);
    if (/\s(href|src|action|formaction|xlink:href)\s*=\s*["']?\s*(javascript|vbscript|data):/i.test(text)) found.push(text);
    if (/^<(iframe|object|embed|base|meta|link|style|form)\b/i.test(text) && !isOwnChrome(text)) found.push(text);
  }
  return found;
}

// The page's own <link rel=stylesheet href=/static/...>, <meta charset/viewport> and forms.
function isOwnChrome(tag) {
  if (/^<link\b/i.test(tag)) return /href="\/static\//i.test(tag) || /rel="(icon|canonical|prev|next)"/i.test(tag);
  if (/^<meta\b/i.test(tag)) return !/http-equiv\s*=\s*["']?refresh/i.test(tag);
  if (/^<form\b/i.test(tag)) return /action="\//i.test(tag);
  return false;
}

const kEvilMarkdown = [
  'Hello <script>alert("x1")</script> there.',
  '',
  '<img src="x" onerror="alert(\'x2\')">',
  '',
  '[click me](javascript:alert("x3")) and [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '',
  '<a href="https://example.org/" onclick="alert(\'x4\')">raw link</a>',
  '',
  '<div><p>broken <b>html <i>everywhere',
  '',
  '<iframe src="https://example.org/"></iframe><svg onload="alert(\'x5\')"></svg>',
  '',
  '![img](javascript:alert("x6")) <style>body{display:none}</style>',
  '',
  'A good link: [a resource](https://example.org/help) and https://example.net/auto',
].join('\n');

describe('Markdown and names are inert', () => {
  test('scripts, javascript: links, event handlers and broken HTML in a post come out inert', async () => {
    const member = await apiMember(forum.server, 'evil');
    const { topic, post } = await askApi(forum.server, member.token, forum.category.id, 'Markdown safety check', kEvilMarkdown);
    await replyApi(forum.server, member.token, topic.id, kEvilMarkdown);
    const page = await forum.server.client().get(`/t/${topic.id}`);
    assert.equal(page.status, 200);
    assert.deepEqual(dangerousMarkup(page.text), [], 'nothing executable in the topic page');
    const shown = await topicApi(forum.server, topic.id);
    for (const p of shown.posts) {
      assert.deepEqual(dangerousMarkup(p.body_html), [], `body_html of post ${p.number} is inert`);
      assert.ok(!/<script/i.test(p.body_html), 'no script tag at all in a post');
      assert.ok(!/<(iframe|style|svg)/i.test(p.body_html), 'no raw HTML block');
    }
    assert.equal(shown.posts[0].body_markdown, kEvilMarkdown, 'what was typed is kept as typed');
    assert.equal(post.id, shown.posts[0].id);
  });

  test('links in posts carry rel="nofollow ugc noopener"', async () => {
    const member = await apiMember(forum.server, 'links');
    const { topic } = await askApi(forum.server, member.token, forum.category.id, 'Links in posts', 'See [a resource](https://example.org/help) and https://example.net/auto for more.');
    const page = await forum.server.client().get(`/t/${topic.id}`);
    const links = [...page.text.matchAll(/<a\b[^>]*href="https:\/\/example\.(org|net)[^"]*"[^>]*>/g)].map((m) => m[0]);
    assert.ok(links.length >= 2, `both links rendered (the autolink too): ${links}`);
    for (const link of links) {
      const rel = /\srel="([^"]*)"/.exec(link)?.[1]?.split(/\s+/) ?? [];
      for (const token of ['nofollow', 'ugc', 'noopener']) assert.ok(rel.includes(token), `${link} has rel ${token}`);
    }
  });

  test('titles and names are escaped by the templates', async () => {
    const member = await apiMember(forum.server, 'titles');
    const title = '<script>alert("t")</script> & <b onmouseover=x>';
    const { topic } = await askApi(forum.server, member.token, forum.category.id, title, 'Body.');
    for (const path of [`/t/${topic.id}`, '/', `/c/${forum.category.slug}`, `/u/${member.username}`]) {
      const page = await forum.server.client().get(path);
      assert.equal(page.status, 200, path);
      assert.ok(page.text.includes('&lt;script&gt;alert('), `${path}: the title appears escaped`);
      assert.deepEqual(dangerousMarkup(page.text), [], `${path}: nothing executable`);
    }
  });

  test('a form body and edits are rendered safely too (the forms path)', async () => {
    const member = await formMember(forum.server, 'formevil');
    const created = await member.postForm('/new', { category_id: forum.category.id, title: 'Form safety question', body: kEvilMarkdown });
    assert.equal(created.status, 303);
    const topicId = Number(/\/t\/(\d+)/.exec(created.location)[1]);
    const postId = (await topicApi(forum.server, topicId)).posts[0].id;
    assert.equal((await member.postForm(`/p/${postId}/edit`, { body: `${kEvilMarkdown}\n\nedited` })).status, 303);
    for (const path of [`/t/${topicId}`, `/p/${postId}/revisions`, `/p/${postId}/edit`, `/u/${member.username}`]) {
      const page = await member.get(path);
      assert.equal(page.status, 200, path);
      assert.deepEqual(dangerousMarkup(page.text), [], `${path}: nothing executable`);
    }
  });
});

describe('pages carry a strict CSP and load nothing from elsewhere', () => {
  test('every HTML page, error pages included', async () => {
    const member = await formMember(forum.server, 'csp');
    const token = (await apiMember(forum.server, 'cspapi')).token;
    const { topic, post } = await askApi(forum.server, token, forum.category.id, 'CSP check question', 'Body.');
    const paths = ['/', '/login', '/register', '/new', `/t/${topic.id}`, `/t/${topic.id}/reply`, `/c/${forum.category.slug}`,
      `/u/${member.username}`, `/p/${post.id}/revisions`, '/t/987654', '/nowhere', `/p/${post.id}/edit`];
    for (const path of paths) {
      const page = await member.get(path);
      assert.ok(page.status < 500, `${path}: ${page.status}`);
      if (!/text\/html/.test(page.headers['content-type'] ?? '')) continue;
      const csp = page.headers['content-security-policy'];
      assert.ok(csp, `${path}: a Content-Security-Policy header`);
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
      const scripts = directives['script-src'] ?? directives['default-src'];
      assert.ok(scripts, `${path}: script-src or default-src`);
      for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:', 'data:']) {
        assert.ok(!scripts.includes(bad), `${path}: script sources do not allow ${bad} (${csp})`);
      }
      assert.ok(directives['object-src'] || directives['default-src']?.includes("'none'"), `${path}: plugins off`);
      assert.ok(directives['frame-ancestors'], `${path}: frame-ancestors`);
      for (const tag of page.text.matchAll(/<(script|link|img|iframe|source|video|audio)\b[^>]*>/gi)) {
        const url = /\s(src|href)="([^"]*)"/i.exec(tag[0])?.[2];
        if (url === undefined) continue;
        assert.ok(url.startsWith('/') && !url.startsWith('//') || url.startsWith('data:'), `${path}: ${tag[0]} loads from this server only`);
      }
      assert.ok(![...page.text.matchAll(/<script\b[^>]*>/gi)].some((m) => !/\ssrc=/.test(m[0])), `${path}: no inline scripts`);
      assert.ok(!/<style\b/i.test(page.text), `${path}: no inline style blocks`);
      assert.ok(!/\sstyle="/i.test(page.text), `${path}: no inline style attributes`);
    }
    const json = await member.api('GET', '/api/v1/categories');
    assert.match(json.headers['content-type'], /application\/json/);
    assert.equal(json.headers['x-content-type-options'], 'nosniff');
  });

  test('static files are served from here and cached (names carry a version)', async () => {
    const page = await forum.server.client().get('/');
    const assets = [...page.text.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length > 0, 'the page uses at least one stylesheet');
    for (const asset of assets) {
      const response = await forum.server.client().get(asset);
      assert.equal(response.status, 200, asset);
      assert.match(response.headers['cache-control'] ?? '', /max-age=\d{6,}/, `${asset}: long cache`);
    }
    const missing = await forum.server.client().get('/static/nothing-1.css');
    assert.equal(missing.status, 404);
    const traversal = await forum.server.client().get('/static/..%2f..%2fetc%2fpasswd');
    assert.ok([400, 404].includes(traversal.status), `traversal: ${traversal.status}`);
    assert.ok(!traversal.text.includes('root:'), 'no file from outside');
  });

  test('the topic page with 20 replies stays under 60 KB with its CSS and JS', async (t) => {
    const asker = await apiMember(forum.server, 'size');
    const replier = await apiMember(forum.server, 'sizer');
    const paragraph = 'I know how heavy that feels. When I started, I cried after almost every session for the first month, and my therapist told me it was a sign that something important was moving. It did get easier, slowly. Be gentle with yourself.';
    const { topic } = await askApi(forum.server, asker.token, forum.category.id, 'Is it normal to cry after therapy?', `${paragraph}\n\n${paragraph}`);
    for (let i = 0; i < 20; i += 1) await replyApi(forum.server, i % 2 ? asker.token : replier.token, topic.id, `${paragraph} (${i + 1})`);
    const page = await formMember(forum.server, 'sizereader').then((c) => c.get(`/t/${topic.id}`));
    assert.equal(page.status, 200);
    let total = page.buffer.length;
    const assets = [...new Set([...page.text.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="(\/static\/[^"]+)"/g)].map((m) => m[1]))];
    for (const asset of assets) total += (await forum.server.client().get(asset)).buffer.length;
    t.diagnostic(`topic page with 20 replies: HTML ${page.buffer.length} bytes, with CSS/JS ${total} bytes (${assets.join(', ')})`);
    assert.ok(total < 60 * 1024, `HTML+CSS+JS is ${total} bytes`);
  });
});

describe('oversized, invalid and malformed requests get a clean 4xx', () => {
  test('a method a path does not take is 405, saying which it does', async () => {
    const wrong = await forum.server.client().api('PUT', '/api/v1/topics');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'GET, HEAD, POST');
  });

  test('bodies over the limit: 413 for forms and JSON', async () => {
    const member = await apiMember(forum.server, 'big');
    const big = 'a'.repeat(1024 * 1024);
    const api = await forum.server.client().api('POST', '/api/v1/topics', { category_id: forum.category.id, title: 'A very big question', body: big }, { token: member.token });
    assertApiError(api, 413);
    const form = await formMember(forum.server, 'bigform');
    const response = await form.postForm('/new', { category_id: forum.category.id, title: 'A very big question', body: big });
    assert.equal(response.status, 413);
    assert.match(response.headers['content-type'], /text\/html/);
    assert.ok(visibleText(response.text).length > 20, 'a page that says what happened');
    assert.ok(!response.text.includes(big.slice(0, 1000)), 'sent from nowhere in particular: the words are not shown back');
    // From the site's own form, the words come back to copy, so a long paste is not lost.
    const fromHere = await form.postForm('/new', { category_id: forum.category.id, title: 'A very big question', body: `My story. ${big}` },
      { headers: { origin: forum.server.baseUrl, referer: `${forum.server.baseUrl}/new` } });
    assert.equal(fromHere.status, 413);
    assert.match(visibleText(fromHere.text), /a post can be up to 20,000 characters/);
    assert.ok(fromHere.text.includes(`>\nMy story. ${big.slice(0, 1000)}`), 'the text is there to copy');
    assert.ok(fromHere.text.includes('A very big question'), 'and the title');
    assert.match(fromHere.text, /action="\/logout"/, 'still shown as signed in: nothing else went wrong');
    await assertHealthy();
  });

  test('a body far past any limit is refused without the server falling over', async () => {
    // Past the transport's own cap the connection may simply be closed; either way, no crash.
    const huge = Buffer.alloc(12 * 1024 * 1024, 0x61);
    let status;
    try {
      status = (await rawRequest(forum.server.url('/api/v1/users'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: huge })).status;
    } catch (error) {
      status = error.code ?? 'closed';
    }
    assert.ok(status === 413 || typeof status === 'string', `12 MB body: ${status}`);
    let lied;
    try {
      lied = await new Promise((resolve, reject) => {
        const socket = net.connect(forum.server.port, '127.0.0.1', () => {
          socket.write('POST /api/v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{"a":');
        });
        let data = '';
        socket.setTimeout(5000, () => {
          socket.destroy();
          reject(new Error('no answer and no close within 5 s for a 1 GiB Content-Length'));
        });
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
        setTimeout(() => socket.end(), 2000);
      });
    } catch (error) {
      assert.fail(error.message);
    }
    assert.ok(lied === '' || /^HTTP\/1\.1 4\d\d/.test(lied), `a 1 GiB Content-Length: ${lied.slice(0, 100)}`);
    await assertHealthy();
  });

  test('invalid UTF-8 in a form and in JSON is a 4xx naming nothing bad, then /healthz is 200', async () => {
    const client = forum.server.client();
    await client.get('/register');
    const token = await client.csrfToken();
    const form = await client.request('POST', '/register', {
      body: `_csrf=${token}&username=ab%FF%FEcd&password=${encodeURIComponent('a long password')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.ok(form.status >= 400 && form.status < 500, `form: ${form.status}`);
    const rawUtf8 = Buffer.concat([Buffer.from('{"username":"ab'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","password":"a long password"}')]);
    const json = await client.api('POST', '/api/v1/users', rawUtf8);
    assert.ok(json.status === 400 || json.status === 422, `JSON: ${json.status}`);
    assertApiError(json, json.status);
    const member = await apiMember(forum.server, 'utf8');
    const post = Buffer.concat([Buffer.from(`{"category_id":${forum.category.id},"title":"Broken bytes title","body":"x`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    const surrogate = await client.api('POST', '/api/v1/topics', post, { token: member.token });
    assert.ok(surrogate.status === 400 || surrogate.status === 422, `a UTF-8 surrogate: ${surrogate.status}`);
    await assertHealthy();
  });

  test('malformed JSON and wrong types are 400 with {error:{code, message}}', async () => {
    const member = await apiMember(forum.server, 'malformed');
    const client = forum.server.client();
    const deep = `${'['.repeat(60_000)}${']'.repeat(60_000)}`;
    for (const body of ['{"title": ', 'not json', '', '[]', '"a string"', '{"title": "x",}', '{"a":'.repeat(10_000), 'null', deep, `{"title":${deep}}`]) {
      const response = await client.api('POST', '/api/v1/topics', body, { token: member.token, headers: { 'content-type': 'application/json' } });
      assert.ok([400, 422].includes(response.status), `${JSON.stringify(body.slice(0, 30))}: ${response.status}`);
      assertApiError(response, response.status);
    }
    assertApiError(await client.api('POST', '/api/v1/topics', '{"title": ', { token: member.token }), 400, { code: 'malformed_json' });
    assertApiError(await client.api('POST', '/api/v1/topics', { category_id: forum.category.id, title: 5, body: 'x' }, { token: member.token }), 400, { field: 'title' });
    assertApiError(await client.api('POST', '/api/v1/topics', { category_id: 'one', title: 'A fine title', body: 'x' }, { token: member.token }), 400, { field: 'category_id' });
    assertApiError(await client.api('POST', '/api/v1/sessions', { username: ['a'], password: 'x' }), 400, { field: 'username' });
    await assertHealthy();
  });

  test('malformed forms, odd paths, unknown methods and garbage bytes: 4xx, never a crash', async () => {
    const client = forum.server.client();
    await client.get('/login');
    const token = await client.csrfToken();
    for (const body of [`_csrf=${token}&username=%zz&password=x`, `_csrf=${token}&%`, `_csrf=${token}&username=a&username=b`, '&&&===', `_csrf=${token}&title=%00%01`]) {
      const response = await client.request('POST', '/login', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.ok(response.status >= 400 && response.status < 500 || response.status === 303, `form ${JSON.stringify(body)}: ${response.status}`);
    }
    for (const path of ['/t/%ff', '/u/%C0%AF', '/t/1%00', '/c/%', '/t/0', '/t/-5', '/api/v1/topics/1e9']) {
      const response = await client.get(path);
      assert.ok(response.status >= 400 && response.status < 500, `${path}: ${response.status}`);
    }
    for (const path of ['/?page=%ff', '/?page=-3', '/?page=99999999999999999999', '/c/x?page=%zz', '/api/v1/topics?page=0']) {
      const response = await client.get(path);
      assert.ok(response.status < 500, `${path}: ${response.status}`);
    }
    // Past the URL cap the transport may just close the connection.
    const longUrl = await client.get(`/${'a'.repeat(9000)}`).catch((error) => ({ status: 'closed', error }));
    assert.ok(longUrl.status === 'closed' || (longUrl.status >= 400 && longUrl.status < 500), `a 9 KB URL: ${longUrl.status}`);
    const wrongMethod = await client.request('PUT', '/login', { body: '' });
    assert.ok(wrongMethod.status >= 400 && wrongMethod.status < 500, `PUT /login: ${wrongMethod.status}`);
    const garbage = await new Promise((resolve) => {
      const socket = net.connect(forum.server.port, '127.0.0.1', () => socket.write('\x00\xffGARBAGE / \x01HTTP/9\r\n\r\n'));
      let data = '';
      socket.setTimeout(5000, () => socket.destroy());
      socket.on('data', (chunk) => (data += chunk));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    assert.ok(garbage === '' || /^HTTP\/1\.[01] 4\d\d/.test(garbage), `garbage bytes: ${garbage.slice(0, 60)}`);
    await assertHealthy();
  });
});
