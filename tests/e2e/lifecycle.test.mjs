// The process itself: /healthz, a clean exit on SIGTERM, writes that survive a restart, a clear
// failure when the port is taken, and --help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { askApi, kPassword, rawRequest, runKindred, startForum, startServer, topicApi } from './harness.mjs';

test('/healthz answers 200 and SIGTERM ends the server cleanly', async () => {
  const server = await startServer();
  const health = await rawRequest(server.url('/healthz'));
  assert.equal(health.status, 200);
  const exit = await server.stop();
  assert.ok(!exit.timedOut, 'exits within 5 s of SIGTERM');
  assert.equal(exit.signal, null, 'exits by itself, not killed by the signal');
  assert.equal(exit.code, 0, `exit code 0; stderr:\n${server.stderr.slice(-2000)}`);
});

test('acknowledged writes and sessions survive a restart', async () => {
  const first = await startForum();
  const dataDir = first.server.dataDir;
  try {
    const { topic } = await askApi(first.server, first.admin.token, first.category.id, 'Still here after a restart?', 'Yes.');
    await first.server.stop({ keepData: true });
    const second = await startServer({ dataDir });
    try {
      const shown = await topicApi(second, topic.id);
      assert.equal(shown.topic.title, 'Still here after a restart?');
      assert.equal(shown.posts[0].body_markdown, 'Yes.');
      const write = await second.client().api('POST', `/api/v1/topics/${topic.id}/posts`, { body: 'The old session still works.' }, { token: first.admin.token });
      assert.equal(write.status, 201, write.text);
      const login = await second.client().api('POST', '/api/v1/sessions', { username: first.admin.username, password: kPassword });
      assert.equal(login.status, 201);
    } finally {
      await second.stop({ keepData: true });
    }
  } finally {
    await first.server.stop({ keepData: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('an acknowledged write survives the process being killed right after (committed, not buffered)', async () => {
  const first = await startForum();
  const dataDir = first.server.dataDir;
  try {
    const { topic } = await askApi(first.server, first.admin.token, first.category.id, 'Written just before a crash', 'Kept.');
    first.server.process.kill('SIGKILL');
    await first.server.exited;
    const second = await startServer({ dataDir });
    try {
      const shown = await topicApi(second, topic.id);
      assert.equal(shown.posts[0].body_markdown, 'Kept.');
    } finally {
      await second.stop({ keepData: true });
    }
  } finally {
    await first.server.stop({ keepData: true });
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a taken port is a clear error and a non-zero exit, not a hang', async () => {
  const server = await startServer();
  const otherData = await mkdtemp(path.join(os.tmpdir(), 'kindred-e2e-'));
  try {
    const result = await runKindred(['serve', '--data', otherData, '--listen', `127.0.0.1:${server.port}`], { timeoutMs: 10_000 });
    assert.notEqual(result.code, 0, `exit code ${result.code} (signal ${result.signal})`);
    assert.equal(result.signal, null, 'it exits by itself');
    assert.ok((result.stderr + result.stdout).includes(String(server.port)), `the message names the address:\n${result.stderr}`);
    assert.equal((await rawRequest(server.url('/healthz'))).status, 200, 'the running server is untouched');
  } finally {
    await server.stop();
    await rm(otherData, { recursive: true, force: true });
  }
});

test('a second server on the same data directory is a clear error, not a hang', async () => {
  const server = await startServer();
  try {
    // The data directory is checked before the port is bound, so the port given does not matter.
    const result = await runKindred(['serve', '--data', server.dataDir, '--listen', `127.0.0.1:${server.port}`], { timeoutMs: 10_000 });
    assert.notEqual(result.code, 0);
    assert.equal(result.signal, null, 'it exits by itself');
    assert.match(result.stderr, /already/i, result.stderr);
    assert.ok(result.stderr.includes(server.dataDir), `the message names the data directory:\n${result.stderr}`);
    assert.equal((await rawRequest(server.url('/healthz'))).status, 200, 'the running server is untouched');
  } finally {
    await server.stop();
  }
});

test('kindred --help lists the commands', async () => {
  const help = await runKindred(['--help']);
  assert.equal(help.code, 0);
  for (const command of ['serve', 'admin', 'import', 'demo']) assert.ok(help.stdout.includes(command), `--help mentions ${command}`);
});
