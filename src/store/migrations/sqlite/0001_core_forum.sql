-- The core forum: accounts, sessions, categories, topics, posts, revisions, reactions, events.
-- Times are Unix seconds (UTC). Booleans are 0/1.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL,
  username_key  TEXT NOT NULL UNIQUE,          -- lower-cased: names are unique ignoring case
  email         TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',      -- empty: cannot log in (imported authors)
  role          INTEGER NOT NULL DEFAULT 0,    -- 0 member, 1 moderator, 2 admin
  created_at    INTEGER NOT NULL,
  is_demo       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,                 -- SHA-256 of the token; the token is never stored
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE categories (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  name_key    TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  position    INTEGER NOT NULL DEFAULT 0,
  archived    INTEGER NOT NULL DEFAULT 0,
  is_demo     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE topics (
  id            INTEGER PRIMARY KEY,
  category_id   INTEGER NOT NULL REFERENCES categories(id),
  user_id       INTEGER NOT NULL REFERENCES users(id),
  title         TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_post_at  INTEGER NOT NULL,
  reply_count   INTEGER NOT NULL DEFAULT 0,
  pinned        INTEGER NOT NULL DEFAULT 0,
  closed        INTEGER NOT NULL DEFAULT 0,
  is_demo       INTEGER NOT NULL DEFAULT 0
);
-- Serves both the category page and the latest list in the order they are shown.
CREATE INDEX topics_by_category ON topics(category_id, pinned DESC, last_post_at DESC, id DESC);
CREATE INDEX topics_latest ON topics(pinned DESC, last_post_at DESC, id DESC);
-- Deleting a user checks topics.user_id; without this index each check reads every topic.
CREATE INDEX topics_by_user ON topics(user_id);

CREATE TABLE posts (
  id            INTEGER PRIMARY KEY,
  topic_id      INTEGER NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  number        INTEGER NOT NULL,
  reply_to      INTEGER REFERENCES posts(id) ON DELETE SET NULL,
  body_markdown TEXT NOT NULL,
  body_html     TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  edited_at     INTEGER,
  deleted_at    INTEGER,
  helpful_count INTEGER NOT NULL DEFAULT 0,
  hug_count     INTEGER NOT NULL DEFAULT 0,
  me_too_count  INTEGER NOT NULL DEFAULT 0,
  UNIQUE (topic_id, number)
);
-- Serves a profile's posts, newest first, in the order they are shown.
CREATE INDEX posts_by_user ON posts(user_id, created_at DESC, id DESC);
-- ON DELETE SET NULL looks up the replies to each deleted post; without this index every
-- deleted post (a removed topic, demo clean-up) costs a scan of all posts.
CREATE INDEX posts_by_reply_to ON posts(reply_to);

CREATE TABLE revisions (
  post_id       INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  revision      INTEGER NOT NULL,
  body_markdown TEXT NOT NULL,
  body_html     TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (post_id, revision)
);

CREATE TABLE reactions (
  post_id    INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind       INTEGER NOT NULL,                 -- 0 helpful, 1 hug, 2 me too
  created_at INTEGER NOT NULL,
  PRIMARY KEY (post_id, user_id, kind)
) WITHOUT ROWID;
CREATE INDEX reactions_by_user ON reactions(user_id, post_id);

-- The change feed: one row per change, in the same transaction as the change.
CREATE TABLE events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL,
  subject_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
