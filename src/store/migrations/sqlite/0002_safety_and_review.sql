-- Safety and moderation: the review queue every kind of moderation item shares, the modlog,
-- private notices, "I'm worried about this person" reports, and admin-edited settings.

ALTER TABLE users ADD COLUMN trusted_supporter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN worry_opt_out INTEGER NOT NULL DEFAULT 0;

CREATE TABLE review_items (
  id                INTEGER PRIMARY KEY,
  kind              INTEGER NOT NULL,              -- 0 safety, 1 misplaced, 2 flag, 3 held
  post_id           INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  priority          INTEGER NOT NULL DEFAULT 1,    -- 2 crisis, 1 everything else
  level             TEXT NOT NULL DEFAULT '',
  reasons           TEXT NOT NULL DEFAULT '',
  suggested_topic   INTEGER REFERENCES topics(id) ON DELETE SET NULL,
  score             REAL NOT NULL DEFAULT 0,
  reporter_id       INTEGER REFERENCES users(id) ON DELETE SET NULL,
  note              TEXT NOT NULL DEFAULT '',
  status            INTEGER NOT NULL DEFAULT 0,    -- 0 open, 1 handled, 2 escalated, 3 dismissed
  created_at        INTEGER NOT NULL,
  resolved_at       INTEGER,
  resolved_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
  resolution_note   TEXT NOT NULL DEFAULT '',
  waiting_raised_at INTEGER,
  version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX review_open ON review_items(status, priority DESC, created_at);
CREATE INDEX review_by_post ON review_items(post_id);
-- Deleting a topic or a user (demo clean-up) looks up the items naming it; without these each
-- deleted row costs a scan of the whole queue, as in 0001's posts_by_reply_to.
CREATE INDEX review_by_suggested_topic ON review_items(suggested_topic);
CREATE INDEX review_by_reporter ON review_items(reporter_id);
CREATE INDEX review_by_resolver ON review_items(resolved_by);

CREATE TABLE modlog (
  id           INTEGER PRIMARY KEY,
  actor_id     INTEGER NOT NULL REFERENCES users(id),
  action       TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  subject_id   INTEGER NOT NULL,
  before       TEXT NOT NULL DEFAULT '',
  after        TEXT NOT NULL DEFAULT '',
  reason       TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL
);
CREATE INDEX modlog_newest ON modlog(created_at DESC, id DESC);
-- Deleting a user checks that no entry names them; this keeps the check from scanning the log.
CREATE INDEX modlog_by_actor ON modlog(actor_id);

CREATE TABLE notices (
  id         INTEGER PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  title      TEXT NOT NULL,
  body_html  TEXT NOT NULL DEFAULT '',
  link       TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  read_at    INTEGER
);
CREATE INDEX notices_by_user ON notices(user_id, created_at DESC, id DESC);

CREATE TABLE worry_reports (
  id           INTEGER PRIMARY KEY,
  reporter_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  post_id      INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  writer_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  message_sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX worry_by_reporter ON worry_reports(reporter_id, created_at);
CREATE INDEX worry_by_writer ON worry_reports(writer_id, message_sent, created_at);
-- ON DELETE CASCADE from posts looks up the reports on each deleted post.
CREATE INDEX worry_by_post ON worry_reports(post_id);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
