// Several nodes on one PostgreSQL database behind nginx (issue 6), all on loopback and started
// here: PostgreSQL in a temporary directory, two `kindred serve` nodes with their own search
// indexes, and nginx serving deploy/nginx/kindred.conf with the ports swapped. A reply written
// through node A reaches a reader streaming from node B and B's search within 2 seconds; B
// killed with SIGKILL catches up when it starts again; A killed during a burst of writes loses
// none that it acknowledged; nginx keeps serving while a node is down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { REPO_ROOT, freePort, kPassword, rawRequest, runKindred, startServer, uniqueName, within } from './harness.mjs';
import { startPostgres } from './postgres_server.mjs';
import { openStream } from './sse.mjs';

const kWithinMs = 2000;
const kNginx = '/usr/sbin/nginx';




// nginx with the shipped site config, its upstream ports and listen port swapped for ours.
async function startNginx(nodePorts) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kindred-nginx-'));
  // As root, nginx's workers run as nobody and must write their temp files here.
  await chmod(dir, 0o777);
  const port = await freePort();
  let site = await readFile(path.join(REPO_ROOT, 'deploy', 'nginx', 'kindred.conf'), 'utf8');
  site = site.replace('server 127.0.0.1:8081', `server 127.0.0.1:${nodePorts[0]}`)
    .replace('server 127.0.0.1:8082', `server 127.0.0.1:${nodePorts[1]}`)
    .replace(/listen 80;/, `listen 127.0.0.1:${port};`);
  assert.ok(site.includes(`127.0.0.1:${nodePorts[1]}`) && site.includes(`listen 127.0.0.1:${port}`), 'config rewritten');
  await writeFile(path.join(dir, 'site.conf'), site);
  await writeFile(path.join(dir, 'nginx.conf'), `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`);
  const child = spawn(kNginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const baseUrl = `http://127.0.0.1:${port}`;
  await within(10_000, async () => {
    const response = await rawRequest(`${baseUrl}/healthz`, { timeoutMs: 1000 });
    assert.equal(response.status, 200, stderr);
  });
  return {
    url: (pathname) => `${baseUrl}${pathname}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function json(url, { method = 'GET', token, body, headers = {} } = {}) {
  const response = await rawRequest(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const { text } = response;
  return { status: response.status, json: text ? JSON.parse(text) : null, text };
}

let postgres;
let uri;
let nodes = [];
let nginx;
let admin;
let member;
let category;
let adminDir;

async function startNode(dataDir) {
  return startServer({ dataDir, extraConfig: `database = "${uri}"\ntrusted_proxy = "127.0.0.1"\n` });
}

before(async () => {
  postgres = await startPostgres(['kindred']);
  [uri] = postgres.uris;
  const adminName = uniqueName('admin');
  adminDir = await mkdtemp(path.join(os.tmpdir(), 'kindred-admin-'));
  const made = await runKindred(['admin', 'create', adminName, '--database', uri, '--data', adminDir, '--password-stdin'],
    { input: `${kPassword}\n` });
  assert.equal(made.code, 0, made.stderr);
  nodes = [
    await startNode(await mkdtemp(path.join(os.tmpdir(), 'kindred-node-a-'))),
    await startNode(await mkdtemp(path.join(os.tmpdir(), 'kindred-node-b-'))),
  ];
  nginx = await startNginx(nodes.map((node) => node.port));

  // Signed in on node A, the session works on node B: it lives in PostgreSQL.
  const session = await json(nodes[0].url('/api/v1/sessions'), { method: 'POST', body: { username: adminName, password: kPassword } });
  assert.equal(session.status, 201, session.text);
  admin = { token: session.json.token };
  const created = await json(nodes[1].url('/api/v1/categories'), {
    method: 'POST', token: admin.token, body: { name: 'Caring', description: 'Looking after someone.' },
  });
  assert.equal(created.status, 201, created.text);
  category = created.json.category;
  const username = uniqueName('member');
  const registered = await json(nginx.url('/api/v1/users'), { method: 'POST', body: { username, password: kPassword } });
  assert.equal(registered.status, 201, registered.text);
  const signedIn = await json(nginx.url('/api/v1/sessions'), { method: 'POST', body: { username, password: kPassword } });
  assert.equal(signedIn.status, 201, signedIn.text);
  member = { username, token: signedIn.json.token };
});

after(async () => {
  await nginx?.stop();
  for (const node of nodes) {
    await node?.stop();
    if (node) await rm(node.dataDir, { recursive: true, force: true });
  }
  await postgres?.stop();
  if (adminDir) await rm(adminDir, { recursive: true, force: true });
});

async function ask(base, title, body = 'Some words about it.') {
  const response = await json(base('/api/v1/topics'), { method: 'POST', token: member.token, body: { category_id: category.id, title, body } });
  assert.equal(response.status, 201, response.text);
  return response.json.topic;
}

async function reply(base, topicId, body) {
  return json(base(`/api/v1/topics/${topicId}/posts`), { method: 'POST', token: member.token, body: { body } });
}

async function searchIds(node, q) {
  const response = await json(node.url(`/api/v1/search?q=${encodeURIComponent(q)}`));
  assert.equal(response.status, 200, response.text);
  return response.json.results.map((result) => result.topic.id);
}

describe('a cluster of two nodes behind nginx', () => {
  test('a reply written on node A streams live to node B and is found by its search within 2 s', async () => {
    const topic = await ask((p) => nodes[0].url(p), 'Respite for my husband with dementia');
    const stream = await openStream(nodes[1].url(`/api/v1/topics/${topic.id}/events`));
    try {
      assert.equal(stream.status, 200);
      const started = Date.now();
      const written = await reply((p) => nodes[0].url(p), topic.id, 'The carers centre arranged a sitting service for us.');
      assert.equal(written.status, 201, written.text);
      const [event] = await stream.waitFor(1, kWithinMs);
      assert.equal(JSON.parse(event.data).post.id, written.json.post?.id ?? written.json.id);
      assert.ok(Date.now() - started <= kWithinMs, `live after ${Date.now() - started} ms`);
      await within(kWithinMs, async () => assert.deepEqual(await searchIds(nodes[1], 'sitting service'), [topic.id]));
    } finally {
      stream.close();
    }
  });

  test('nginx serves pages and live streams from either node', async () => {
    const topic = await ask(nginx.url, 'Guilt about a care home for mum');
    const page = await rawRequest(nginx.url(`/t/${topic.id}`));
    assert.equal(page.status, 200);
    assert.match(page.text, /Guilt about a care home for mum/);
    const stream = await openStream(nginx.url(`/api/v1/topics/${topic.id}/events`));
    try {
      assert.equal(stream.status, 200);
      const written = await reply(nginx.url, topic.id, 'We felt the same. The staff became friends.');
      assert.equal(written.status, 201, written.text);
      await stream.waitFor(1, kWithinMs);
    } finally {
      stream.close();
    }
  });

  test('node B killed with SIGKILL catches up on what it missed when it starts again', async () => {
    const dataDir = nodes[1].dataDir;
    nodes[1].process.kill('SIGKILL');
    await nodes[1].exited;
    const topic = await ask((p) => nodes[0].url(p), 'Night terrors after my father died');
    // nginx skips the dead node: reading still works.
    for (let i = 0; i < 4; i += 1) assert.equal((await rawRequest(nginx.url(`/t/${topic.id}`))).status, 200);
    nodes[1] = await startNode(dataDir);
    await within(kWithinMs, async () => assert.deepEqual(await searchIds(nodes[1], 'night terrors'), [topic.id]));
  });

  test('node A killed during a burst of writes loses nothing it acknowledged', async () => {
    const topic = await ask((p) => nodes[0].url(p), 'A burst of replies');
    const acknowledged = [];
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      for (let i = 0; ; i += 1) {
        let response;
        try {
          response = await reply((p) => nodes[0].url(p), topic.id, `Reply ${writer}-${i} from the burst.`);
        } catch {
          return;  // the node is gone: this write was never acknowledged
        }
        if (response.status !== 201) return;
        acknowledged.push(response.json.post?.id ?? response.json.id);
      }
    });
    await within(10_000, async () => assert.ok(acknowledged.length >= 20));
    nodes[0].process.kill('SIGKILL');
    await Promise.all(writers);
    const dataDir = nodes[0].dataDir;
    await nodes[0].exited;
    // Every acknowledged reply is in the database, as node B sees it.
    const seen = new Set();
    for (let page = 1; ; page += 1) {
      const response = await json(nodes[1].url(`/api/v1/topics/${topic.id}?page=${page}`));
      assert.equal(response.status, 200, response.text);
      for (const post of response.json.posts) seen.add(post.id);
      if (response.json.posts.length === 0 || page >= (response.json.pages ?? page)) break;
    }
    const lost = acknowledged.filter((id) => !seen.has(id));
    assert.deepEqual(lost, [], `${acknowledged.length} acknowledged, ${lost.length} missing`);
    nodes[0] = await startNode(dataDir);
  });
});
