// `kindred migrate-store`: a community started on SQLite moves to PostgreSQL with the real
// binary, and `kindred serve --database postgresql://...` then shows the same topics, replies and
// accounts. Running the command again is a verified no-op; a destination holding something else
// is refused. (Every table and row is checked by src/store/migrate/migrate_store_test.cc.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';

import { askApi, kPassword, replyApi, runKindred, startForum, startServer, topicApi, visibleText } from './harness.mjs';
import { startPostgres } from './postgres_server.mjs';

test('a SQLite community moves to PostgreSQL and serve shows it there', async () => {
  const postgres = await startPostgres(['migrated']);
  const [uri] = postgres.uris;
  const { server, admin, category } = await startForum();
  const dataDir = server.dataDir;
  let moved;
  try {
    const { topic } = await askApi(server, admin.token, category.id, 'Moving house with anxiety', 'How did you cope with the boxes?');
    await replyApi(server, admin.token, topic.id, 'One room a day helped me.');
    await server.stop({ keepData: true });

    const copied = await runKindred(['migrate-store', '--from', dataDir, '--to', uri]);
    assert.equal(copied.code, 0, `migrate-store exited ${copied.code}:\n${copied.stderr}${copied.stdout}`);
    assert.match(copied.stdout, /Copied the community/);
    assert.match(copied.stdout, /\n\s+topics\s+1\s+[0-9a-f]{16}\n/);
    assert.match(copied.stdout, /the same rows, the same checksums/);
    assert.equal(copied.stderr, '', 'no progress bar when stderr is not a terminal');

    const again = await runKindred(['migrate-store', '--from', dataDir, '--to', uri]);
    assert.equal(again.code, 0, `second run exited ${again.code}:\n${again.stderr}`);
    assert.match(again.stdout, /already holds exactly this copy/);

    moved = await startServer({ limits: 'default', extraConfig: `database = "${uri}"\n` });
    const shown = await topicApi(moved, topic.id);
    assert.equal(shown.topic.title, 'Moving house with anxiety');
    assert.deepEqual(
      shown.posts.map((post) => post.body_markdown),
      ['How did you cope with the boxes?', 'One room a day helped me.'],
    );
    const page = await moved.client().get(`/t/${topic.id}`);
    assert.equal(page.status, 200);
    assert.match(visibleText(page.text), /Moving house with anxiety/);
    // Accounts and their passwords came along; new writes get new ids.
    const login = await moved.client().api('POST', '/api/v1/sessions', { username: admin.username, password: kPassword });
    assert.equal(login.status, 201, login.text);
    const reply = await replyApi(moved, login.json.token, topic.id, 'Written on PostgreSQL.');
    assert.ok(reply.id > shown.posts[1].id, `a fresh post id (${reply.id})`);
    await moved.stop();
    moved = null;

    // Now PostgreSQL holds more than the SQLite source: a run without --replace refuses, naming
    // what is there, rather than merging or overwriting.
    const refused = await runKindred(['migrate-store', '--from', dataDir, '--to', uri]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already holds other data: .*posts \(3 rows\)/);
    assert.match(refused.stderr, /--replace/);
  } finally {
    if (moved) await moved.stop();
    await rm(dataDir, { recursive: true, force: true });
    await postgres.stop();
  }
});
