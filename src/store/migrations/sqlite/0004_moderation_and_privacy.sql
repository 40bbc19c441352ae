-- Moderation and privacy (issue 5): trust levels and suspension, flags weighed by the flagger's
-- record, hidden and held posts, slow mode, anonymous posts, content warnings, blocks, muted
-- words, watched words, and former members whose personal data is erased.

-- Trust: 0 new, 1 basic, 2 trusted peer supporter. Trusted peer supporters are the people who
-- were marked "trusted supporter" before, so that flag becomes the top trust level.
ALTER TABLE users ADD COLUMN trust_level INTEGER NOT NULL DEFAULT 0;
UPDATE users SET trust_level = CASE WHEN trusted_supporter = 1 THEN 2 ELSE 1 END;
ALTER TABLE users DROP COLUMN trusted_supporter;
-- Set by an admin: automatic promotion leaves the level alone.
ALTER TABLE users ADD COLUMN trust_pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN suspended_until INTEGER;               -- NULL: not suspended
ALTER TABLE users ADD COLUMN suspended_reason TEXT NOT NULL DEFAULT '';
-- The flagger's record: flags a moderator upheld or turned down weigh their next flags.
ALTER TABLE users ADD COLUMN flags_upheld INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN flags_rejected INTEGER NOT NULL DEFAULT 0;
-- Personal controls: muted words (one per line) and whether content warnings start open.
ALTER TABLE users ADD COLUMN muted_words TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN show_warned_posts INTEGER NOT NULL DEFAULT 0;
-- A former member: the account is erased (name, email, password, settings) and only the
-- posts they chose to keep remain, shown as "a former member".
ALTER TABLE users ADD COLUMN erased_at INTEGER;

ALTER TABLE topics ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
-- Slow mode: the least time in seconds between one person's replies in this topic (0: off).
ALTER TABLE topics ADD COLUMN slow_mode_seconds INTEGER NOT NULL DEFAULT 0;
-- Set while the question is hidden or held: the topic is left out of lists until it is shown.
ALTER TABLE topics ADD COLUMN hidden_at INTEGER;

ALTER TABLE posts ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN content_warning TEXT NOT NULL DEFAULT '';
-- Hidden from everyone but its writer and moderators: "flags" (auto-hidden, pending review),
-- "held" (waiting for a first look) or "moderator".
ALTER TABLE posts ADD COLUMN hidden_at INTEGER;
ALTER TABLE posts ADD COLUMN hidden_reason TEXT NOT NULL DEFAULT '';
-- Slow mode asks for one person's latest reply in a topic.
CREATE INDEX posts_by_topic_user ON posts(topic_id, user_id, created_at DESC);

CREATE TABLE blocks (
  blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;
CREATE INDEX blocks_by_blocked ON blocks(blocked_id, blocker_id);

-- Admins' watched words: 0 flag for review, 1 hold for review, 2 replace, 3 block.
CREATE TABLE watched_words (
  id          INTEGER PRIMARY KEY,
  pattern     TEXT NOT NULL,
  pattern_key TEXT NOT NULL UNIQUE,          -- lower-cased: one rule per word
  action      INTEGER NOT NULL,
  replacement TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);
