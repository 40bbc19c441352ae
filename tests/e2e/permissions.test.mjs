// The permission matrix (issue 5): every role against every action, through the JSON API and
// through the web forms, from one table of expectations. The guardian (src/forum/guardian.cc)
// decides every one of these; this file checks that what it decides is what reaches a person.
//
// One server and one set of accounts for the whole matrix. Each cell that changes something acts
// on its own target (its own post to edit or delete, its own review item, its own throwaway
// account to delete), so the cells do not depend on their order.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  apiMember, askApi, createAdmin, kPassword, replyApi, startForum, uniqueName, visibleText,
} from './harness.mjs';

const ROLES = ['visitor', 'new', 'basic', 'trusted', 'suspended', 'moderator', 'admin'];
const CHANNELS = ['api', 'web'];

// Expected answers by role. `member` is new, basic and trusted members; the others default to it
// (suspended, moderator) or to the moderator's (admin). 'ok' is any 2xx for the API.
function by({ visitor, member, suspended = member, moderator = member, admin = moderator }) {
  return { visitor, new: member, basic: member, trusted: member, suspended, moderator, admin };
}

const OK = 'ok';  // API: any 2xx
const REDIRECT = 303;  // web: a form that worked goes somewhere (POST-redirect-GET)
// Web, visitors: asked to sign in, either by the error page (401) or by a 303 to /login that
// brings them back afterwards. Never the action itself.
const SIGN_IN = 'sign-in';

let forum;
let ctx;  // everything the rows act on: accounts by role, targets by role and channel

const apiCall = (who, method, pathname, body) =>
  forum.server.client().api(method, pathname, body, { token: who?.token });

// A signed-in browser for `account` (null for a visitor), reading forms as a person would.
async function browserFor(account) {
  const client = forum.server.client();
  await client.get('/login');
  if (account) {
    const login = await client.postForm('/login', { username: account.username, password: account.password });
    assert.equal(login.status, 303, `web sign-in for ${account.username}: ${login.status}`);
  }
  return client;
}

async function setTrust(username, level) {
  const r = await apiCall(forum.admin, 'PUT', `/api/v1/users/${username}/trust`, { level });
  assert.equal(r.status, 200, r.text);
}

async function setRole(username, role) {
  const r = await apiCall(forum.admin, 'PUT', `/api/v1/users/${username}/role`, { role });
  assert.equal(r.status, 200, r.text);
}

// A member with the role's standing (not yet suspended: that comes after their posts exist).
async function accountFor(role) {
  if (role === 'visitor') return null;
  if (role === 'admin') {
    const username = uniqueName('admin2');
    await createAdmin(forum.server.dataDir, username, kPassword);
    const session = await forum.server.client().api('POST', '/api/v1/sessions', { username, password: kPassword });
    assert.equal(session.status, 201, session.text);
    return { username, password: kPassword, token: session.json.token };
  }
  const member = await apiMember(forum.server, role.slice(0, 6));
  if (role === 'basic' || role === 'suspended') await setTrust(member.username, 'basic');
  if (role === 'trusted') await setTrust(member.username, 'trusted');
  if (role === 'moderator') await setRole(member.username, 'moderator');
  return member;
}

async function flagItem(host, flagger) {
  const post = await replyApi(forum.server, host.token, ctx.topic.id, `A post to review ${uniqueName('r')}`);
  const flagged = await apiCall(flagger, 'POST', `/api/v1/posts/${post.id}/flags`, { reason: 'spam' });
  assert.equal(flagged.status, 201, flagged.text);
  const queue = await apiCall(forum.admin, 'GET', '/api/v1/review');
  const item = queue.json.items.find((i) => i.post.id === post.id);
  assert.ok(item, 'the flag is in the queue');
  return item;
}

before(async () => {
  forum = await startForum({ limits: 'relaxed' });
  const host = await accountFor('basic');
  const flagger = await accountFor('basic');
  ctx = { host, accounts: {}, browsers: {}, own: {}, doomed: {}, items: {} };
  ctx.topic = (await askApi(forum.server, host.token, forum.category.id, 'Mornings before work', 'How do you start the day?')).topic;
  ctx.modTopic = (await askApi(forum.server, host.token, forum.category.id, 'A topic moderators tend', 'Pins and slow mode.')).topic;
  ctx.hostPost = await replyApi(forum.server, host.token, ctx.topic.id, 'Tea first, always.');
  ctx.flagTarget = { api: await replyApi(forum.server, host.token, ctx.topic.id, 'Flag target (API).'),
    web: await replyApi(forum.server, host.token, ctx.topic.id, 'Flag target (web).') };
  ctx.anonymous = await replyApi(forum.server, host.token, ctx.topic.id, 'Written without my name.', { anonymous: true });
  ctx.trustTarget = await accountFor('new');
  ctx.suspendTarget = await accountFor('basic');
  ctx.blockTarget = await accountFor('basic');
  ctx.sharedItem = await flagItem(host, flagger);  // the one refused roles try to act on; it stays open

  for (const role of ROLES) {
    const account = await accountFor(role);
    ctx.accounts[role] = account;
    ctx.own[role] = {};
    ctx.doomed[role] = {};
    ctx.items[role] = {};
    for (const channel of CHANNELS) {
      if (account) {
        ctx.own[role][channel] = {
          edit: await replyApi(forum.server, account.token, ctx.topic.id, `${role} writes (${channel}, to edit).`),
          remove: await replyApi(forum.server, account.token, ctx.topic.id, `${role} writes (${channel}, to delete).`),
        };
        ctx.doomed[role][channel] = await accountFor(role === 'suspended' ? 'basic' : role);
      }
      ctx.items[role][channel] = role === 'moderator' || role === 'admin' ? await flagItem(host, flagger) : ctx.sharedItem;
    }
  }
  // Suspended last, by an admin, once their own posts exist.
  for (const account of [ctx.accounts.suspended, ctx.doomed.suspended.api, ctx.doomed.suspended.web]) {
    const r = await apiCall(forum.admin, 'POST', `/api/v1/users/${account.username}/suspend`, { days: 3, reason: 'A pause.' });
    assert.equal(r.status, 200, r.text);
  }
  for (const role of ROLES) ctx.browsers[role] = await browserFor(ctx.accounts[role]);
});

after(async () => {
  await forum?.server.stop();
});

// The table. Each row: the action, what each channel sends for a role, and the answers expected.
// `web` is what a browser without script does: a page (GET) or a form (POST).
const ROWS = [
  {
    action: 'read a topic',
    api: (role) => apiCall(ctx.accounts[role], 'GET', `/api/v1/topics/${ctx.topic.id}`),
    web: (role) => ctx.browsers[role].get(`/t/${ctx.topic.id}`),
    expect: { api: by({ visitor: 200, member: 200 }), web: by({ visitor: 200, member: 200 }) },
  },
  {
    action: 'ask',
    api: (role) => apiCall(ctx.accounts[role], 'POST', '/api/v1/topics',
      { category_id: forum.category.id, title: `A question from ${role}`, body: 'Some words about it.' }),
    web: (role) => ctx.browsers[role].postForm('/new',
      { category_id: forum.category.id, title: `A web question from ${role}`, body: 'Some words about it.' }),
    expect: { api: by({ visitor: 401, member: 201, suspended: 403 }), web: by({ visitor: SIGN_IN, member: REDIRECT, suspended: 403 }) },
  },
  {
    action: 'reply',
    api: (role) => apiCall(ctx.accounts[role], 'POST', `/api/v1/topics/${ctx.topic.id}/posts`, { body: `A reply from ${role}.` }),
    web: (role) => ctx.browsers[role].postForm(`/t/${ctx.topic.id}/reply`, { body: `A web reply from ${role}.` }),
    expect: { api: by({ visitor: 401, member: 201, suspended: 403 }), web: by({ visitor: SIGN_IN, member: REDIRECT, suspended: 403 }) },
  },
  {
    action: 'edit own post',
    api: (role, target) => apiCall(ctx.accounts[role], 'PATCH', `/api/v1/posts/${target.id}`, { body: 'Edited by its writer.' }),
    web: (role, target) => ctx.browsers[role].postForm(`/p/${target.id}/edit`, { body: 'Edited by its writer.' }),
    target: (role, channel) => ctx.own[role]?.[channel]?.edit ?? ctx.hostPost,
    expect: { api: by({ visitor: 401, member: 200, suspended: 403 }), web: by({ visitor: SIGN_IN, member: REDIRECT, suspended: 403 }) },
  },
  {
    action: "edit someone else's post",
    api: (role) => apiCall(ctx.accounts[role], 'PATCH', `/api/v1/posts/${ctx.hostPost.id}`, { body: `Tea first, always (${role}).` }),
    web: (role) => ctx.browsers[role].postForm(`/p/${ctx.hostPost.id}/edit`, { body: `Tea first, always (web ${role}).` }),
    expect: { api: by({ visitor: 401, member: 403, moderator: 200 }), web: by({ visitor: SIGN_IN, member: 403, moderator: REDIRECT }) },
  },
  {
    action: 'delete own post',
    api: (role, target) => apiCall(ctx.accounts[role], 'DELETE', `/api/v1/posts/${target.id}`),
    web: (role, target) => ctx.browsers[role].postForm(`/p/${target.id}/delete`, {}),
    target: (role, channel) => ctx.own[role]?.[channel]?.remove ?? ctx.hostPost,
    // Deleting what you wrote is yours, suspended or not.
    expect: { api: by({ visitor: 401, member: OK }), web: by({ visitor: SIGN_IN, member: REDIRECT }) },
  },
  {
    action: 'react',
    api: (role) => apiCall(ctx.accounts[role], 'POST', `/api/v1/posts/${ctx.hostPost.id}/reactions`, { kind: 'hug' }),
    web: (role) => ctx.browsers[role].postForm(`/p/${ctx.hostPost.id}/react`, { kind: 'helpful', action: 'add' }),
    expect: { api: by({ visitor: 401, member: OK, suspended: 403 }), web: by({ visitor: SIGN_IN, member: REDIRECT, suspended: 403 }) },
  },
  {
    action: 'flag',
    api: (role) => apiCall(ctx.accounts[role], 'POST', `/api/v1/posts/${ctx.flagTarget.api.id}/flags`, { reason: 'unkind' }),
    web: (role) => ctx.browsers[role].postForm(`/p/${ctx.flagTarget.web.id}/flag`, { reason: 'unkind' }),
    expect: { api: by({ visitor: 401, member: 201, suspended: 403 }), web: by({ visitor: SIGN_IN, member: REDIRECT, suspended: 403 }) },
  },
  {
    action: 'block a member',
    api: (role) => apiCall(ctx.accounts[role], 'POST', `/api/v1/users/${ctx.blockTarget.username}/block`, {}),
    web: (role) => ctx.browsers[role].postForm(`/u/${ctx.blockTarget.username}/block`, { next: '/' }),
    // Personal controls are every member's, suspended or not.
    expect: { api: by({ visitor: 401, member: OK }), web: by({ visitor: SIGN_IN, member: REDIRECT }) },
  },
  {
    action: 'read the review queue',
    api: (role) => apiCall(ctx.accounts[role], 'GET', '/api/v1/review'),
    web: (role) => ctx.browsers[role].get('/mod/queue'),
    expect: { api: by({ visitor: 401, member: 403, moderator: 200 }), web: by({ visitor: SIGN_IN, member: 403, moderator: 200 }) },
  },
  {
    action: 'act on a review item',
    api: (role, item) => apiCall(ctx.accounts[role], 'POST', `/api/v1/review/${item.id}/actions`, { action: 'dismiss', version: item.version }),
    web: (role, item) => ctx.browsers[role].postForm(`/mod/review/${item.id}/action`, { action: 'dismiss', version: item.version }),
    target: (role, channel) => ctx.items[role][channel],
    expect: { api: by({ visitor: 401, member: 403, moderator: 200 }), web: by({ visitor: SIGN_IN, member: 403, moderator: REDIRECT }) },
  },
  {
    action: 'reveal an anonymous writer',
    api: (role) => apiCall(ctx.accounts[role], 'POST', `/api/v1/posts/${ctx.anonymous.id}/reveal`, { reason: 'Matrix check.' }),
    web: (role) => ctx.browsers[role].postForm(`/p/${ctx.anonymous.id}/reveal`, { reason: 'Matrix check.' }),
    // The web reveal answers with the name on the page itself, never in an address.
    expect: { api: by({ visitor: 401, member: 403, moderator: 200 }), web: by({ visitor: SIGN_IN, member: 403, moderator: 200 }) },
  },
  {
    action: 'set slow mode',
    api: (role) => apiCall(ctx.accounts[role], 'PATCH', `/api/v1/topics/${ctx.modTopic.id}`, { slow_mode_seconds: 0 }),
    web: (role) => ctx.browsers[role].postForm(`/t/${ctx.modTopic.id}/slow-mode`, { minutes: '0' }),
    expect: { api: by({ visitor: 401, member: 403, moderator: 200 }), web: by({ visitor: SIGN_IN, member: 403, moderator: REDIRECT }) },
  },
  {
    action: 'pin or close a topic',
    api: (role) => apiCall(ctx.accounts[role], 'PATCH', `/api/v1/topics/${ctx.modTopic.id}`, { pinned: false, closed: false }),
    web: (role) => ctx.browsers[role].postForm(`/t/${ctx.modTopic.id}/moderate`, { category_id: forum.category.id }),
    expect: { api: by({ visitor: 401, member: 403, moderator: 200 }), web: by({ visitor: SIGN_IN, member: 403, moderator: REDIRECT }) },
  },
  {
    action: 'manage categories',
    api: (role) => apiCall(ctx.accounts[role], 'POST', '/api/v1/categories', { name: `Room ${uniqueName('c').slice(-8)}`, description: 'A room.' }),
    web: (role) => ctx.browsers[role].postForm('/admin/categories', { name: `Hall ${uniqueName('c').slice(-8)}`, description: 'A hall.' }),
    expect: { api: by({ visitor: 401, member: 403, admin: 201 }), web: by({ visitor: SIGN_IN, member: 403, admin: REDIRECT }) },
  },
  {
    action: 'describe a category',
    api: (role) => apiCall(ctx.accounts[role], 'PATCH', `/api/v1/categories/${forum.category.id}`, { description: 'A calm place.' }),
    web: (role) => ctx.browsers[role].postForm(`/admin/categories/${forum.category.id}`, { name: forum.category.name, description: 'A calm place.' }),
    expect: { api: by({ visitor: 401, member: 403, admin: 200 }), web: by({ visitor: SIGN_IN, member: 403, admin: REDIRECT }) },
  },
  {
    action: 'manage watched words',
    api: (role) => apiCall(ctx.accounts[role], 'POST', '/api/v1/admin/watched-words', { pattern: uniqueName('w').replace(/_/g, ''), action: 'flag' }),
    web: (role) => ctx.browsers[role].postForm('/admin/watched-words', { pattern: uniqueName('w').replace(/_/g, ''), action: 'flag' }),
    expect: { api: by({ visitor: 401, member: 403, admin: 201 }), web: by({ visitor: SIGN_IN, member: 403, admin: REDIRECT }) },
  },
  {
    action: 'set trust',
    api: (role) => apiCall(ctx.accounts[role], 'PUT', `/api/v1/users/${ctx.trustTarget.username}/trust`, { level: 'basic' }),
    web: (role) => ctx.browsers[role].postForm(`/mod/members/${ctx.trustTarget.username}/trust`, { level: 'basic' }),
    expect: { api: by({ visitor: 401, member: 403, admin: 200 }), web: by({ visitor: SIGN_IN, member: 403, admin: REDIRECT }) },
  },
  {
    action: 'suspend',
    api: (role) => apiCall(ctx.accounts[role], 'POST', `/api/v1/users/${ctx.suspendTarget.username}/suspend`, { days: 1, reason: 'Matrix check.' }),
    web: (role) => ctx.browsers[role].postForm(`/mod/members/${ctx.suspendTarget.username}/suspend`, { days: '1', reason: 'Matrix check.' }),
    expect: { api: by({ visitor: 401, member: 403, moderator: 200 }), web: by({ visitor: SIGN_IN, member: 403, moderator: REDIRECT }) },
  },
  {
    action: 'export own data',
    api: (role) => apiCall(ctx.accounts[role], 'GET', '/api/v1/me/export'),
    web: (role) => ctx.browsers[role].get('/account/export.html'),
    expect: { api: by({ visitor: 401, member: 200 }), web: by({ visitor: SIGN_IN, member: 200 }) },
  },
  {
    action: 'delete own account',
    api: (role, doomed) => apiCall(doomed, 'DELETE', '/api/v1/me', { password: kPassword, posts: 'keep' }),
    web: async (role, doomed) => (await browserFor(doomed)).postForm('/account/delete', { password: kPassword, posts: 'keep' }),
    target: (role, channel) => ctx.doomed[role][channel] ?? null,
    expect: { api: by({ visitor: 401, member: 204 }), web: by({ visitor: SIGN_IN, member: REDIRECT }) },
  },
  {
    action: 'change helpline settings',
    api: null,  // the helplines are edited on the admin page only; GET /api/v1/helplines is public
    web: (role) => ctx.browsers[role].postForm('/admin/safety/helplines', { tsv: '' }),
    expect: { web: by({ visitor: SIGN_IN, member: 403, admin: [REDIRECT, 422] }) },
  },
];

function matches(expected, response, channel) {
  const allowed = Array.isArray(expected) ? expected : [expected];
  const { status } = response;
  return allowed.some((e) => {
    if (e === OK) return status >= 200 && status < 300 && channel === 'api';
    if (e === SIGN_IN) return status === 401 || (status === 303 && /^\/login\b/.test(response.location ?? ''));
    return status === e;
  });
}

describe('the permission matrix', () => {
  for (const channel of CHANNELS) {
    test(`every role, every action, through the ${channel === 'api' ? 'JSON API' : 'web forms'}`, async () => {
      const wrong = [];
      for (const row of ROWS) {
        const send = row[channel];
        if (!send) continue;
        for (const role of ROLES) {
          const expected = row.expect[channel][role];
          const target = row.target ? row.target(role, channel) : undefined;
          const response = await send(role, target);
          if (!matches(expected, response, channel)) {
            wrong.push(`${row.action} as ${role}: expected ${expected}, got ${response.status} ${visibleText(response.text).slice(0, 160)}`);
          }
        }
      }
      assert.deepEqual(wrong, [], `\n${wrong.join('\n')}`);
    });
  }

  test('refusals say why, in calm words', async () => {
    const suspended = await apiCall(ctx.accounts.suspended, 'POST', `/api/v1/topics/${ctx.topic.id}/posts`, { body: 'Hello?' });
    assert.equal(suspended.json.error.code, 'suspended');
    assert.match(suspended.json.error.message, /you can read but not post for now/);
    const member = await apiCall(ctx.accounts.basic, 'GET', '/api/v1/review');
    assert.equal(member.json.error.code, 'moderators_only');
    const moderator = await apiCall(ctx.accounts.moderator, 'GET', '/api/v1/admin/watched-words');
    assert.equal(moderator.json.error.code, 'admins_only');
  });
});
